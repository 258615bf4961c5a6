// `node --import ./test/support/no-ui.mjs …`: any import of React, Ink or yoga fails the process, so a test can
// prove that a headless command never loads the UI's modules.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    const ui = /node_modules\\/(ink|react|react-reconciler|yoga-layout)\\//;
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      if (ui.test(resolved.url)) throw new Error('UI module loaded by a headless command: ' + resolved.url);
      return resolved;
    }
  `)}`,
);
