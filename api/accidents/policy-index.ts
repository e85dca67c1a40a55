import type { FieldCodec } from '../crypto/field-codec.js';
import { normalisePolicyNumber } from './schema.js';

/**
 * The blind index a policy number is found by: the codec's keyed hash of the number normalised as
 * lookups normalise it (case, spaces and hyphens do not count), so every writer and reader agree.
 */
export const policyIndexOf = (codec: Pick<FieldCodec, 'policyIndex'>, policyNumber: string): string => codec.policyIndex(normalisePolicyNumber(policyNumber));
