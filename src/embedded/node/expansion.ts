// $(VAR) expansion in env values, command and args, as the kubelet does it
// (kubernetes third_party/forked/golang/expansion/expand.go; used by kubelet makeEnvironmentVariables
// and kubecontainer.ExpandContainerCommandAndArgs).

/** MappingFuncFor: the first context defining `name` wins; an unknown name stays `$(name)`. */
export function mappingFuncFor(...contexts: ReadonlyMap<string, string>[]): (name: string) => string {
  return (name) => {
    for (const vars of contexts) {
      const value = vars.get(name);
      if (value !== undefined) return value;
    }
    return `$(${name})`;
  };
}

/** Expand: `$(VAR)` → mapping(VAR); `$$` → `$`; any other `$` stays as it is. */
export function expand(input: string, mapping: (name: string) => string): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === '$') out += '$';
    else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close === -1) out += '$(';
      else {
        out += mapping(rest.slice(1, close));
        advance = close + 1;
      }
    } else out += `$${rest[0] ?? ''}`;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

export interface EnvVar {
  name: string;
  value: string;
}

/**
 * The container's environment as the kubelet builds it (kubelet_pods.go makeEnvironmentVariables):
 * each value may refer to variables defined before it, or to `extra` (the service variables).
 */
export function expandEnv(env: readonly EnvVar[], extra: ReadonlyMap<string, string> = new Map()): EnvVar[] {
  const defined = new Map<string, string>();
  const mapping = mappingFuncFor(defined, extra);
  for (const { name, value } of env) defined.set(name, expand(value, mapping));
  const merged = new Map([...extra, ...defined]);
  return [...merged].map(([name, value]) => ({ name, value }));
}

/** ExpandContainerCommandAndArgs (pkg/kubelet/container/helpers.go): $(VAR) in command and args from the container env. */
export function expandCommandAndArgs(command: readonly string[] | undefined, args: readonly string[] | undefined, env: readonly EnvVar[]): { command: string[]; args: string[] } {
  const mapping = mappingFuncFor(new Map(env.map((e) => [e.name, e.value])));
  return { command: (command ?? []).map((c) => expand(c, mapping)), args: (args ?? []).map((a) => expand(a, mapping)) };
}
