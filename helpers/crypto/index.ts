// The harness's own Lucid hash constructions (contract §4), recomputed independently of the services.
export * from './bytes.ts';
export * from './hash.ts';
export * from './merkle.ts';
export * from './proof.ts';
export * from './canonical-json.ts';
export * from './block.ts';
export * from './chain.ts';
export * from './jwt.ts';
