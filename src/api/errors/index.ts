/**
 * Errors, the public part: the error types every part of netns-kit throws ({@link NetnsKitError}
 * and its subclasses).
 *
 * What the package's root entry (`netns-kit`) exports of this part; nothing inside `src/`
 * imports this file.
 */
export {
  NetnsKitError,
  SystemError,
  NetlinkError,
  ValidationError,
  BulkError,
  type BulkFailure,
  ParseError,
  TimeoutError,
  AbortError,
  AddonMissingError,
  type ErrorAttribute,
  type ErrorCode,
  type ErrnoCode,
  errnoName,
} from '../../errors.js';
export { TransactionError, type TransactionFailure } from '../../errors.js';
