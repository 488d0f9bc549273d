/** The modelled Mikiwame error body `{code, type, message, errors}` (SmartHR's convention, apis.md §3). */
export const MW_ERRORS = {
  bad_request: [400, 1], unauthorized_token: [401, 2], linkage_expired: [401, 10], not_found: [404, 4],
  department_name_conflict: [409, 11], department_too_deep: [422, 12], department_parent_not_found: [422, 13],
  email_immutable: [422, 14], email_taken: [422, 15], invalid: [422, 16], payload_too_large: [413, 17],
  internal_server_error: [500, 5], too_many_requests: [429, 6], service_maintenance: [503, 9],
} as const;
export type MwErrorType = keyof typeof MW_ERRORS;

export class MwError extends Error {
  constructor(readonly type: MwErrorType, message: string, readonly field?: string) { super(message); }
  get status(): number { return MW_ERRORS[this.type][0]; }
  body(): string {
    return JSON.stringify({ code: MW_ERRORS[this.type][1], type: this.type, message: this.message, errors: this.field ? [{ message: this.message, field: this.field }] : null });
  }
}
