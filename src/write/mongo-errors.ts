import { MongoServerError } from 'mongodb';

/** A write refused by a unique index (`_id` included): E11000. */
export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}
