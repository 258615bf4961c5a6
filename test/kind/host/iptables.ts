// What dockerd leaves in iptables after it stops, and the commands that take exactly that out again: its
// DOCKER* chains (those that did not exist before kind:host started it) and the rules in the built-in chains
// that jump to them or name its default bridge. Pure: input is `iptables -t TABLE -S` text.

export interface IptablesSnapshot {
  /** Chains per table, as `-N NAME` lines list them. */
  chains: Record<string, string[]>;
  /** Built-in chain policies per table (`-P FORWARD ACCEPT`). */
  policies: Record<string, Record<string, string>>;
}

export const TABLES = ['filter', 'nat'] as const;

export function parseRules(text: string): { chains: string[]; policies: Record<string, string>; rules: string[] } {
  const chains: string[] = [];
  const policies: Record<string, string> = {};
  const rules: string[] = [];
  for (const line of text.split('\n')) {
    const n = /^-N (\S+)$/.exec(line);
    if (n) chains.push(n[1]!);
    const p = /^-P (\S+) (\S+)$/.exec(line);
    if (p) policies[p[1]!] = p[2]!;
    if (line.startsWith('-A ')) rules.push(line);
  }
  return { chains, policies, rules };
}

/** The iptables argument lists (after `-t TABLE`) that undo dockerd's changes to one table. */
export function cleanupCommands(table: string, now: string, before: IptablesSnapshot, bridges: readonly string[]): string[] {
  const current = parseRules(now);
  const ours = current.chains.filter((c) => /^DOCKER/.test(c) && !(before.chains[table] ?? []).includes(c));
  const jumpsToOurs = (rule: string) => ours.some((c) => new RegExp(`(^| )-[jg] ${c}( |$)`).test(rule));
  const namesBridge = (rule: string) => bridges.some((b) => new RegExp(`(^| )!? ?-[io] ${b}( |$)`).test(rule));
  const commands: string[] = [];
  for (const rule of current.rules) {
    const chain = rule.split(' ')[1]!;
    if (ours.includes(chain)) continue; // flushed with the chain
    if (jumpsToOurs(rule) || namesBridge(rule)) commands.push(`-D ${rule.slice(3)}`);
  }
  for (const c of ours) commands.push(`-F ${c}`);
  for (const c of ours) commands.push(`-X ${c}`);
  for (const [chain, policy] of Object.entries(before.policies[table] ?? {})) {
    if (current.policies[chain] !== undefined && current.policies[chain] !== policy) commands.push(`-P ${chain} ${policy}`);
  }
  return commands;
}
