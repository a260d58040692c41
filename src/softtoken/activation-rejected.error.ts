// The Identity Provider refused an activation: its stable code and the words it chose for the user.
export class ActivationRejected extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ActivationRejected';
  }
}
