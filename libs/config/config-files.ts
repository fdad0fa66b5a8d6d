import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A definition file: its name, and its text when it is read. */
export interface DefinitionFile {
  name: string;
  read: () => string;
}

/**
 * The files workgate reads its configuration from at boot, besides the environment: the workflow
 * definitions of WORKGATE_WORKFLOWS_DIR and the exception-code catalog of WORKGATE_EXCEPTION_CODES.
 */
export const ConfigFiles = {
  /** The YAML and JSON files of a directory, by name; undefined when there is no such directory. */
  definitions(dir: string): DefinitionFile[] | undefined {
    let names: string[];
    try {
      names = readdirSync(dir)
        .filter((f) => /\.(ya?ml|json)$/.test(f))
        .sort();
    } catch {
      return undefined;
    }
    return names.map((name) => ({ name, read: () => readFileSync(join(dir, name), 'utf8') }));
  },

  /** A file's text. */
  text(path: string): string {
    return readFileSync(path, 'utf8');
  },
};
