import { normaliseUuid } from '../../../shared/src/ids';
import { userError, UserErrorCode, type UserError } from '../../../shared/src/mutations';

/** Collects every input problem at once, so the user fixes them in one go. */
export class InputCheck {
  readonly errors: UserError[] = [];

  uuid(value: string, field: string, label: string): string {
    const id = normaliseUuid(value);
    if (!id) this.fail(field, `${label} is not a valid id.`);
    return id ?? value;
  }

  text(value: string | null | undefined, field: string, label: string, max: number, required: boolean): string | null {
    if (value === undefined || value === null) {
      if (required) this.fail(field, `${label} is required.`);
      return null;
    }
    const trimmed = value.trim();
    if (required && trimmed.length === 0) this.fail(field, `${label} must not be empty.`);
    else if (trimmed.length > max) this.fail(field, `${label} must be at most ${max} characters (it has ${trimmed.length}).`);
    return trimmed.length === 0 ? null : trimmed;
  }

  fail(field: string, message: string): void {
    this.errors.push(userError(UserErrorCode.INVALID_INPUT, message, ['input', field]));
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }
}
