/** Whether dist/ holds the code to run: always in an installed package; in a checkout while no source is newer. */
export function distIsFresh(root: URL): boolean;
