import { loadSubgraphConfig, type Env, type SubgraphConfig } from '../../shared/src/config';
import { teacherRegistry } from './index';
import { DEFAULT_UPLOAD_MAX_BYTES } from './services/teacher-import-upload-protocol';

/** The only place this subgraph reads its environment (variables documented in the README). */
export function loadConfig(env: Env = process.env): SubgraphConfig {
  return loadSubgraphConfig(teacherRegistry.name, teacherRegistry.defaultPort, env);
}

/** Limits of uploaded import files (services/teacher-import-upload.ts). */
export interface UploadSettings {
  /** UPLOAD_MAX_BYTES: the largest file stored (default 100 MiB, as at the gateway). */
  maxBytes: number;
  /** TEACHER_IMPORT_UPLOAD_TTL_HOURS: how long an upload is kept for its import (default 24). */
  ttlHours: number;
}

export function loadUploadSettings(env: Env = process.env): UploadSettings {
  const number = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got "${raw}")`);
    return value;
  };
  return { maxBytes: number('UPLOAD_MAX_BYTES', DEFAULT_UPLOAD_MAX_BYTES), ttlHours: number('TEACHER_IMPORT_UPLOAD_TTL_HOURS', 24) };
}
