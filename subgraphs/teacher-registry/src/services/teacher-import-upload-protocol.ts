/**
 * How the gateway hands an uploaded import file to the registry (POST /uploads/teacher-import at
 * the gateway streams to this path). Kept apart from the service so the gateway can import the
 * names without loading the registry's code.
 */
export const TEACHER_IMPORT_UPLOAD_PATH = '/internal/teacher-import-uploads';
/** The original file name, URI-encoded (headers carry ASCII; school file names are Chinese). */
export const UPLOAD_FILE_NAME_HEADER = 'x-upload-file-name';
/** The largest file the registry stores, whatever the gateway lets through. */
export const DEFAULT_UPLOAD_MAX_BYTES = 100 * 1024 * 1024;
