/** Base class of every error this library raises on purpose. */
export class StorageError extends Error {
  override readonly name: string = 'StorageError';
}

/** The schema description contradicts itself (a key naming a missing column, a partitioned key without its time column…). */
export class SchemaError extends StorageError {
  override readonly name = 'SchemaError';
}

/** Migrations cannot run, or the database is not in a state they can continue from. */
export class MigrationError extends StorageError {
  override readonly name = 'MigrationError';
}

/** A value given to a writer does not fit its column (wrong JavaScript type, out of range). */
export class EncodeError extends StorageError {
  override readonly name = 'EncodeError';
}

/** `write()` or `flush()` was called on a writer after `close()`. */
export class WriterClosedError extends StorageError {
  override readonly name = 'WriterClosedError';
}

/** The embedded PostgreSQL server could not be initialised, started or stopped. */
export class EmbeddedPostgresError extends StorageError {
  override readonly name = 'EmbeddedPostgresError';
}

/** A stored row could not become a domain object (a value the domain refuses). */
export class RowDecodeError extends StorageError {
  override readonly name = 'RowDecodeError';
}
