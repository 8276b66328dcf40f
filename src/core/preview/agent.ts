/** xAPI agents: the inverse functional identifier (IFI) that decides whether two agents are the same person. */

/** An xAPI Agent or Group as JSON. */
export interface XapiAgent {
  /** `Agent` (the default) or `Group`. */
  objectType?: 'Agent' | 'Group';
  /** Display name; not an identifier. */
  name?: string;
  /** `mailto:` IRI (an identifier). */
  mbox?: string;
  /** SHA-1 of the mbox IRI (an identifier). */
  mbox_sha1sum?: string;
  /** OpenID URI (an identifier). */
  openid?: string;
  /** An account on a system (an identifier; what cmi5 requires). */
  account?: { homePage: string; name: string };
  /** Members of a Group. */
  member?: XapiAgent[];
}

/**
 * A stable key for an agent's IFI (`mbox:mailto:a@b`, `account:https://x|name`), or undefined
 * when the agent has none. Two agents with the same key are the same learner.
 */
export function agentKey(agent: unknown): string | undefined {
  if (!agent || typeof agent !== 'object') return undefined;
  const a = agent as XapiAgent;
  if (typeof a.mbox === 'string') return `mbox:${a.mbox.toLowerCase()}`;
  if (typeof a.mbox_sha1sum === 'string') return `sha1:${a.mbox_sha1sum.toLowerCase()}`;
  if (typeof a.openid === 'string') return `openid:${a.openid}`;
  if (a.account && typeof a.account.homePage === 'string' && typeof a.account.name === 'string') return `account:${a.account.homePage}|${a.account.name}`;
  return undefined;
}

/** Parses the JSON `agent` query parameter; undefined when it is not an agent with exactly one IFI. */
export function parseAgentParam(raw: string | null): XapiAgent | undefined {
  if (!raw) return undefined;
  try {
    const a = JSON.parse(raw) as XapiAgent;
    if (!a || typeof a !== 'object') return undefined;
    const ifis = ['mbox', 'mbox_sha1sum', 'openid', 'account'].filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    return ifis.length === 1 && agentKey(a) ? a : undefined;
  } catch {
    return undefined;
  }
}
