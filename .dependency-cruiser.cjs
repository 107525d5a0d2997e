// Dependency rules (issue "Seams", item 3), checked by `npm run lint:deps`, which `npm test` runs.
// One folder for the shared model at the bottom, no folder-level cycles, checks free of engine code, and the
// helpers folders in layers: a folder imports only from its own layer and the layers below it.
// Type-only imports count like any other: they tie the folders together just the same (the swc parser sees them).

/**
 * Bottom first. A folder is everything under it (helpers/checks includes helpers/checks/static; fixtures is all of
 * fixtures/). suites, tests, bench, scripts and bin sit above every layer: they may import anything, nothing
 * imports them. A new helpers folder must be placed here (rule layer-unknown).
 */
const LAYERS = [
  // The shared model: targets, findings, verdicts, fact types, errors, platforms, metrics. Pure: model and zod only.
  ['helpers/model'],
  // Data and functions with no engine and no images: the contract and its schemas, hashes, decompression.
  ['helpers/contract', 'helpers/crypto', 'helpers/compress'],
  // The Docker engine client and the host it runs on; the image names.
  ['helpers/engine', 'helpers/host', 'helpers/images'],
  // Images as data: facts gathered from them, building them, Debian packages, registries, OCI layouts.
  ['helpers/facts', 'helpers/image', 'helpers/debian', 'helpers/registry', 'helpers/oci'],
  // The judges: facts in, findings out.
  ['helpers/checks'],
  // The images the harness builds for itself (base, stand-ins, reference and defect images).
  ['fixtures'],
  // Containers: starting them and reading their runtime facts.
  ['helpers/runtime'],
  ['helpers/flows'],
  // Run plans, global setup, suite runs and the matrices read from them.
  ['helpers/plan'],
  ['helpers/report'],
  ['helpers/regress', 'helpers/preflight', 'helpers/doctor', 'helpers/reliability'],
  ['helpers/cli'],
];
const TOP = ['suites', 'tests', 'bench', 'scripts', 'bin'];

const any = (folders) => `^(${folders.join('|')})/`;

/** Engine code the checks must not reach, even through another folder. (node_modules unanchored: it may resolve through a symlink.) */
const ENGINE = '^helpers/(engine|runtime)/|(^|/)node_modules/(dockerode|docker-modem|testcontainers)/';

const layerRules = LAYERS.map((layer, i) => ({
  name: `layer-${layer[0].replace(/^helpers\//, '')}`,
  comment: `${layer.join(', ')} may import only from layers up to its own (see LAYERS in .dependency-cruiser.cjs), never from ${[...LAYERS.slice(i + 1).flat(), ...TOP].join(', ')}`,
  severity: 'error',
  from: { path: any(layer) },
  to: { path: any([...LAYERS.slice(i + 1).flat(), ...TOP]) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment:
        'Two folders must not import each other, directly or through others: move the shared piece down (helpers/model)',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'model-is-pure',
      comment:
        'helpers/model is the bottom of the graph: it imports only helpers/model and zod (no other folder, no node: I/O, no engine)',
      severity: 'error',
      from: { path: '^helpers/model/' },
      to: { pathNot: '^helpers/model/|(^|/)node_modules/zod/' },
    },
    {
      name: 'checks-no-engine',
      comment:
        'The checks judge facts (helpers/model); they must not reach the engine, runtime, dockerode or testcontainers, not even transitively',
      severity: 'error',
      from: { path: '^helpers/checks/' },
      to: { path: ENGINE, reachable: true },
    },
    ...layerRules,
    {
      name: 'layer-unknown',
      comment: 'Every helpers folder belongs to a layer: add a new one to LAYERS in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^helpers/', pathNot: any(LAYERS.flat()) },
      to: {},
    },
  ],
  options: {
    // The project's typescript (7) has no JS API for dependency-cruiser; swc parses the sources instead.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.mjs', '.js', '.json'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
