import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';

/**
 * class-transformer's registry of decorator metadata (`@Type` and friends). It is not part of the
 * package's public API (its types ship apart from its CommonJS build), so its absence only turns
 * off what reads it: the compiled check's fast path, the nested classes of a described DTO.
 */
export function typeStorage(): MetadataStorage | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional internal module: absent, it is undefined
    const loaded: unknown = require('class-transformer/cjs/storage');
    return isStorageModule(loaded) ? loaded.defaultMetadataStorage : undefined;
  } catch {
    return undefined;
  }
}

function isStorageModule(loaded: unknown): loaded is { defaultMetadataStorage: MetadataStorage } {
  if (typeof loaded !== 'object' || loaded === null || !('defaultMetadataStorage' in loaded)) return false;
  const storage = loaded.defaultMetadataStorage;
  return typeof storage === 'object' && storage !== null && 'findTypeMetadata' in storage;
}
