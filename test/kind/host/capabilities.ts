// Linux capabilities by number (include/uapi/linux/capability.h) and the OCI runtime wrapper that removes the
// ones this host withholds: `docker run --privileged` asks runc for every capability, and where the sandbox's
// bounding set lacks one (CAP_SYS_RESOURCE on these machines) runc fails with "unable to apply caps: operation
// not permitted". Pure text and parsing; host.ts writes and registers the wrapper.

export const CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;

/**
 * The capabilities the kernel knows (up to /proc/sys/kernel/cap_last_cap) that are missing from a `CapBnd:` hex
 * mask of /proc/self/status: what a privileged container cannot be given here.
 */
export function withheldCapabilities(status: string, lastCap: number): string[] {
  const hex = /^CapBnd:\s*([0-9a-f]+)$/im.exec(status)?.[1];
  if (!hex) throw new Error('no CapBnd line in /proc/self/status');
  const bounding = BigInt(`0x${hex}`);
  const out: string[] = [];
  for (let bit = 0; bit <= Math.min(lastCap, CAPABILITIES.length - 1); bit++) {
    if ((bounding & (1n << BigInt(bit))) === 0n) out.push(CAPABILITIES[bit]!);
  }
  return out;
}

/**
 * A runc in front of runc: on `create`/`run` it removes `drop` from every capability set of the bundle's
 * config.json, on `exec` from the --process file, then execs the real runc with the same arguments. node edits
 * the JSON (it is there: this project runs on it).
 */
export function capDropWrapper(options: { runc: string; node: string; drop: readonly string[] }): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/bash
# Written by \`npm run kind:host -- up\` (image-heist test/kind/host): this host withholds ${options.drop.join(', ')},
# which Docker asks for on --privileged; remove it from the OCI spec, then run the real runc.
set -o errexit -o nounset -o pipefail
runc=${q(options.runc)}
node=${q(options.node)}
drop=${q(options.drop.join(','))}
strip() {
  "$node" -e '
    const fs = require("fs");
    const [file, drop, where] = process.argv.slice(1);
    const withheld = new Set(drop.split(","));
    const spec = JSON.parse(fs.readFileSync(file, "utf8"));
    const caps = where === "bundle" ? spec.process && spec.process.capabilities : spec.capabilities;
    if (caps) for (const set of Object.keys(caps)) if (Array.isArray(caps[set])) caps[set] = caps[set].filter((c) => !withheld.has(c));
    fs.writeFileSync(file, JSON.stringify(spec));
  ' "$1" "$drop" "$2"
}
command="" bundle="." process=""
args=("$@")
for ((i = 0; i < \${#args[@]}; i++)); do
  arg=\${args[i]}
  if [[ -z "$command" ]]; then
    case "$arg" in create | run | exec) command=$arg ;; esac
    continue
  fi
  case "$arg" in
    --bundle | -b) bundle=\${args[i + 1]:-.} ;;
    --bundle=*) bundle=\${arg#--bundle=} ;;
    --process | -p) process=\${args[i + 1]:-} ;;
    --process=*) process=\${arg#--process=} ;;
  esac
done
case "$command" in
  create | run) strip "$bundle/config.json" bundle ;;
  exec) if [[ -n "$process" ]]; then strip "$process" process; fi ;;
esac
exec "$runc" "$@"
`;
}
