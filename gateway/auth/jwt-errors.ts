import { errors } from 'jose';
import { UnauthenticatedError, type AuthFailureReason } from '../errors/gateway-error.ts';
import { KeySetUnavailable } from './key-source.ts';

/**
 * Every way a token can fail → one `UnauthenticatedError` with a stable reason. Messages
 * name what is wrong (which claim, which check) and never echo key material, the token,
 * or the expected issuer/audience values. jose's own error stays as `cause` for logs.
 */
export function toAuthError(error: unknown): UnauthenticatedError {
  if (error instanceof UnauthenticatedError) return error;
  const fail = (reason: AuthFailureReason, message: string, claim?: string): UnauthenticatedError =>
    new UnauthenticatedError(reason, message, { cause: error, ...(claim === undefined ? {} : { claim }) });

  if (error instanceof errors.JWTExpired) return fail('token_expired', 'Token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) return claimFailure(error, fail);
  if (error instanceof errors.JOSEAlgNotAllowed) return fail('algorithm_not_allowed', 'Token signing algorithm is not allowed');
  if (error instanceof errors.JWSSignatureVerificationFailed) return fail('invalid_signature', 'Token signature is invalid');
  if (error instanceof errors.JWKSNoMatchingKey) return fail('unknown_key', 'Token was signed by an unknown key');
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return fail('unknown_key', 'Token does not identify its signing key (several keys match; set "kid")');
  }
  if (error instanceof KeySetUnavailable || error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return fail('jwks_unavailable', 'Signing keys are unavailable; try again later');
  }
  if (error instanceof errors.JOSENotSupported) return fail('algorithm_not_allowed', 'Token uses an unsupported algorithm or header');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return fail('malformed_token', 'Token is malformed');
  // A key that does not fit the algorithm, or anything unforeseen: fail closed.
  if (error instanceof errors.JWKInvalid || error instanceof errors.JOSEError || error instanceof TypeError) {
    return fail('invalid_signature', 'Token could not be verified');
  }
  return fail('malformed_token', 'Token could not be verified');
}

function claimFailure(
  error: InstanceType<typeof errors.JWTClaimValidationFailed>,
  fail: (reason: AuthFailureReason, message: string, claim?: string) => UnauthenticatedError,
): UnauthenticatedError {
  const { claim, reason } = error;
  if (claim === 'iss') return fail('invalid_issuer', 'Token issuer is not trusted', 'iss');
  if (claim === 'aud') return fail('invalid_audience', 'Token is not meant for this audience', 'aud');
  if (reason === 'missing') return fail('missing_claim', `Token lacks the required "${claim}" claim`, claim);
  if (claim === 'nbf' && reason === 'check_failed') return fail('token_not_yet_valid', 'Token is not valid yet', 'nbf');
  return fail('invalid_claim', `Token has an invalid "${claim}" claim`, claim);
}
