// Every request of the page goes to this server, through here: the API token (when the publisher
// asks for one) and the operator's name travel as headers, and a refusal comes back as an Error
// carrying the publisher's own words.

const TOKEN_KEY = 'discrobot.token';
const OPERATOR_KEY = 'discrobot.operator';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let onUnauthorized = () => {};

export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function operatorName() {
  return localStorage.getItem(OPERATOR_KEY) ?? '';
}

export function setOperatorName(name) {
  localStorage.setItem(OPERATOR_KEY, name);
}

export function headers(extra = {}) {
  const all = { ...extra };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) all.Authorization = `Bearer ${token}`;
  const operator = operatorName().trim();
  if (operator && /^[\x20-\x7e]{1,64}$/.test(operator)) all['X-Operator'] = operator;
  return all;
}

async function request(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const answer = await response.json().catch(() => ({}));
  if (response.status === 401) onUnauthorized();
  if (!response.ok) throw new ApiError(response.status, answer.error ?? `${response.status} ${response.statusText}`);
  return answer;
}

export const get = (path) => request('GET', path);
export const post = (path, body = {}) => request('POST', path, body);

/** A path segment: Study Instance UIDs and names are encoded, never trusted as paths. */
export const segment = (value) => encodeURIComponent(value);
