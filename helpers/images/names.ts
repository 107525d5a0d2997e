import { archOf, type Platform } from '../model/platform.ts';

/**
 * Local image names. A classic engine image store holds one image per tag, so the platform lives in the tag:
 * both platforms of one service sit side by side (lucid-ref/lucid-data-chain:amd64 and :arm64).
 */
export const REF_NAMESPACE = 'lucid-ref';
const DEFECT_NAMESPACE = 'lucid-defect';
/** The second reference family (fixtures/services/lucid_alt), written apart from the first. */
const ALT_NAMESPACE = 'lucid-alt';

/** The reference families: lucid_ref (the default) and lucid_alt, which takes every open choice the other way. */
export const FAMILIES = ['ref', 'alt'] as const;
export type Family = (typeof FAMILIES)[number];

export const baseImageRef = (p: Platform) => `${REF_NAMESPACE}/distroless-python3-debian12:${archOf(p)}`;
export const referenceImageRef = (service: string, p: Platform, family: Family = 'ref') =>
  `${family === 'alt' ? ALT_NAMESPACE : REF_NAMESPACE}/lucid-${service}:${archOf(p)}`;
export const defectImageRef = (defect: string, p: Platform) => `${DEFECT_NAMESPACE}/${defect}:${archOf(p)}`;
