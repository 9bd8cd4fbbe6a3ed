import { deviceKey } from './device-key.ts';
import { dpopProof, type ProofRequest } from './dpop.ts';

/*
 * The one place that joins this browser's device key to the proof code: the resolver's
 * default proof, and (built on its own as dist/instant-key.device-proof.js, see
 * vite.config.ts) the code the key page inlines to sign its early credential request with the
 * same key, before the element's module has arrived.
 */

/** The `DPoP` header for one request, signed with this browser's device key. */
export async function deviceProof(request: ProofRequest): Promise<string> {
  return dpopProof(await deviceKey(), request);
}
