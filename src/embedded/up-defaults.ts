// Defaults of `image-heist up`, apart from the lab so the CLI can show them without loading it.
export const DEFAULT_LAB_DIR = '.lab';
export const DEFAULT_UP_TIME_SCALE = 1;
