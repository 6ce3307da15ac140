// The two places where response wrapping joins the server's request pipeline, as in Vault's
// request_handling.go: before the ACL, the token of `sys/wrapping/{lookup,rewrap,unwrap}` is
// validated (and a wrapping token may do nothing else); after dispatch, an answer with data or auth
// is wrapped when the request (`X-Vault-Wrap-TTL`) or the endpoint asks for it.

import { PermissionDeniedError, RequestError } from '../../core/errors.js';
import type { TokenEntry } from '../auth/token-store.js';
import type { LogicalResponse } from '../framework.js';
import { envelopeOf, isEmptyResult, type ServedResult } from '../http/respond.js';
import { InvalidWrappingTokenError, isWrappingToken, type ResponseWrapper } from './response-wrapper.js';
import { resolveWrapTtl } from './wrap-ttl.js';

/** What an endpoint may say about wrapping its own answer (sys/wrapping/wrap and rewrap). */
export interface WrapDirective {
  /** Wrap for this many seconds unless the request asks for less. */
  readonly ttl?: number;
  /** The answer is useless unwrapped: refuse when nobody asked (Vault's sys/wrapping/wrap). */
  readonly required?: boolean;
  /** Keep this `creation_path` (rewrap keeps the original one). */
  readonly creationPath?: string;
  /** Store this response text as it is instead of this answer (rewrap moves a response unchanged). */
  readonly response?: string;
  /** The endpoint takes arbitrary parameters: drop the "ignored parameters" warning. */
  readonly arbitraryInput?: boolean;
}

/** A handler's answer with its wrapping directive. */
export type WrappableResult = LogicalResponse & { readonly wrap?: WrapDirective };

/** Paths that take a wrapping token (Vault validates it before anything else). */
const TAKES_WRAPPING_TOKEN = new Set(['sys/wrapping/lookup', 'sys/wrapping/rewrap', 'sys/wrapping/unwrap']);

/** Vault's 400 for a token that cannot even be looked at. */
const invalidInput = (why: string) => new RequestError(`error validating wrapping token: ${why}`);

/** What the pipeline needs to know of a request for the check before the ACL. */
export interface WrappingCheckInput {
  readonly path: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly clientToken: string | undefined;
  /** The live entry of the client token, if any. */
  readonly token: TokenEntry | undefined;
  /** The path needs no token (then a wrapping token presented is simply ignored). */
  readonly open: boolean;
}

/**
 * Vault's `validateWrappingToken` step. For lookup, rewrap and unwrap it refuses a missing, bad or
 * non-wrapping token (400 `wrapping token is not valid or does not exist`); elsewhere it refuses a
 * wrapping token used as a client token (its policy grants nothing else: 403). Answers true when a
 * wrapping token unwraps itself: its own `response-wrapping` policy allows exactly that, so the
 * request skips the token's ACL (and use count: unwrapping spends its single use).
 */
export async function checkWrappingRequest(wrapper: ResponseWrapper, input: WrappingCheckInput): Promise<boolean> {
  if (!TAKES_WRAPPING_TOKEN.has(input.path)) {
    if (!input.open && isWrappingToken(input.token)) throw new PermissionDeniedError();
    return false;
  }
  // Raw, before the framework coerces anything: Vault's validateWrappingToken reads req.Data["token"]
  // itself and refuses a non-string with its own message.
  const inBody = input.data.token;
  let token: string;
  let thirdParty = false;
  if (inBody !== undefined && inBody !== null) {
    thirdParty = true;
    if (typeof inBody !== 'string') throw invalidInput('could not decode token in request body');
    if (inBody === '') throw invalidInput('empty token in request body');
    token = inBody;
  } else {
    token = input.clientToken ?? '';
  }
  if (token === '') throw invalidInput('token is empty');
  if (!(await wrapper.validate(token))) throw new InvalidWrappingTokenError();
  return !thirdParty && input.path === 'sys/wrapping/unwrap';
}

/** Where an answer was made, for the envelope a wrapping token keeps. */
export interface WrapContext {
  /** The request's `X-Vault-Wrap-TTL` in seconds, if sent. */
  readonly requestedTtl: number | undefined;
  readonly path: string;
  readonly requestId: string;
  readonly mountType: string;
  readonly isList: boolean;
}

/**
 * Wrap an answer when asked: the full envelope goes into a new wrapping token's cubbyhole and the
 * answer becomes its `wrap_info` alone. Empty, raw and bare answers are never wrapped (Vault wraps
 * only a response it would send as JSON). Throws Vault's 400 when an endpoint needs wrapping and
 * the request did not ask for it.
 */
export async function wrapResult(
  wrapper: ResponseWrapper,
  result: WrappableResult | undefined,
  ctx: WrapContext,
): Promise<ServedResult | undefined> {
  const directive = result?.wrap;
  const ttl = resolveWrapTtl(ctx.requestedTtl, directive?.ttl);
  if (directive?.required && ttl === 0) throw new RequestError('endpoint requires response wrapping to be used');
  if (!result || ttl === 0 || result.raw || result.bare) return result;
  const answer: LogicalResponse = directive?.arbitraryInput
    ? { ...result, warnings: (result.warnings ?? []).filter((w) => !w.startsWith('Endpoint ignored these')) }
    : result;
  if (directive?.response === undefined && isEmptyResult(answer, ctx.isList)) return result;
  const response =
    directive?.response ?? JSON.stringify(envelopeOf({ requestId: ctx.requestId, mountType: ctx.mountType }, answer));
  const accessor = answer.auth?.accessor;
  const wrapInfo = await wrapper.wrap(response, {
    ttl,
    creationPath: directive?.creationPath ?? ctx.path,
    ...(typeof accessor === 'string' && accessor !== '' ? { wrappedAccessor: accessor } : {}),
  });
  return { wrapInfo };
}
