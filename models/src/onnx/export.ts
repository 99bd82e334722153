/**
 * Write a trained ensemble as ONNX (IR 8, opset 13 + ai.onnx.ml opset 3) with onnx-proto.
 *
 * Graph:
 *   features float32 [N, F]
 *     └─ ai.onnx.ml.TreeEnsembleRegressor (BRANCH_LEQ, SUM, base_values = [baseValue]) → raw [N, 1]
 *   if an offset is configured (train/offset.ts):
 *     exposure (one feature):  features ─ Slice[:, j:j+1] ─ Log → offset;  raw + offset → z
 *     sum of products:         Σ_t coef_t · Π_j Slice[:, j:j+1] + constant ─ Log → offset;  raw + offset → z
 *   if transform = 'exp':  Exp(z) → co2e_kg [N, 1]   else Identity(z) → co2e_kg
 */
import onnxPkg from 'onnx-proto';
import type { EnsembleJson } from '../train/gbt.js';

const { onnx } = onnxPkg;
type IAttr = import('onnx-proto').onnx.IAttributeProto;
type INode = import('onnx-proto').onnx.INodeProto;

const A = onnx.AttributeProto.AttributeType;

function ints(name: string, v: number[]): IAttr {
  return { name, type: A.INTS, ints: v };
}
function floats(name: string, v: number[]): IAttr {
  return { name, type: A.FLOATS, floats: v };
}
function strs(name: string, v: string[]): IAttr {
  const enc = new TextEncoder();
  return { name, type: A.STRINGS, strings: v.map((s) => enc.encode(s)) };
}
function str(name: string, v: string): IAttr {
  return { name, type: A.STRING, s: new TextEncoder().encode(v) };
}
function int(name: string, v: number): IAttr {
  return { name, type: A.INT, i: v };
}

export interface ExportOptions {
  /** ln(constant + Σ coef · Π features[:, j]) is added to the ensemble output before the transform (column indexes). */
  offset?: { constant: number; terms: { coef: number; features: number[] }[] };
  docString?: string;
  modelVersion?: number;
}

export function ensembleToOnnx(ens: EnsembleJson, opts: ExportOptions = {}): Uint8Array {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const values: number[] = [];
  const modes: string[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missing: number[] = [];
  const tTree: number[] = [];
  const tNode: number[] = [];
  const tIds: number[] = [];
  const tWeights: number[] = [];
  ens.trees.forEach((t, ti) => {
    for (let k = 0; k < t.feature.length; k++) {
      treeIds.push(ti);
      nodeIds.push(k);
      const leaf = t.feature[k]! < 0;
      featureIds.push(leaf ? 0 : t.feature[k]!);
      values.push(leaf ? 0 : t.threshold[k]!);
      modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      trueIds.push(leaf ? 0 : t.left[k]!);
      falseIds.push(leaf ? 0 : t.right[k]!);
      missing.push(0);
      if (leaf) {
        tTree.push(ti);
        tNode.push(k);
        tIds.push(0);
        tWeights.push(t.value[k]!);
      }
    }
  });
  const nodes: INode[] = [
    {
      input: ['features'],
      output: ['raw'],
      name: 'trees',
      opType: 'TreeEnsembleRegressor',
      domain: 'ai.onnx.ml',
      attribute: [
        str('aggregate_function', 'SUM'),
        floats('base_values', [ens.baseValue]),
        int('n_targets', 1),
        ints('nodes_falsenodeids', falseIds),
        ints('nodes_featureids', featureIds),
        ints('nodes_missing_value_tracks_true', missing),
        strs('nodes_modes', modes),
        ints('nodes_nodeids', nodeIds),
        ints('nodes_treeids', treeIds),
        ints('nodes_truenodeids', trueIds),
        floats('nodes_values', values),
        str('post_transform', 'NONE'),
        ints('target_ids', tIds),
        ints('target_nodeids', tNode),
        ints('target_treeids', tTree),
        floats('target_weights', tWeights),
      ],
    },
  ];
  const initializers: import('onnx-proto').onnx.ITensorProto[] = [];
  let z = 'raw';
  if (opts.offset) {
    const i64 = (name: string, v: number) => ({
      name,
      dims: [1],
      dataType: onnx.TensorProto.DataType.INT64,
      int64Data: [v],
    });
    const f32 = (name: string, v: number) => ({
      name,
      dims: [1],
      dataType: onnx.TensorProto.DataType.FLOAT,
      floatData: [v],
    });
    initializers.push(i64('off_axis', 1));
    const cols = new Map<number, string>();
    const column = (j: number): string => {
      let name = cols.get(j);
      if (!name) {
        name = `col_${j}`;
        initializers.push(i64(`${name}_start`, j), i64(`${name}_end`, j + 1));
        nodes.push({
          input: ['features', `${name}_start`, `${name}_end`, 'off_axis'],
          output: [name],
          name: `slice_${j}`,
          opType: 'Slice',
          domain: '',
        });
        cols.set(j, name);
      }
      return name;
    };
    const { constant, terms } = opts.offset;
    let offsetIn: string;
    if (terms.length === 1 && terms[0]!.features.length === 1 && terms[0]!.coef === 1 && constant === 0) {
      offsetIn = column(terms[0]!.features[0]!); // exposure offset: ln(feature)
    } else {
      let sum: string | null = null;
      terms.forEach((t, ti) => {
        let prod = column(t.features[0]!);
        t.features.slice(1).forEach((j, k) => {
          const out = `term_${ti}_mul_${k}`;
          nodes.push({ input: [prod, column(j)], output: [out], name: out, opType: 'Mul', domain: '' });
          prod = out;
        });
        initializers.push(f32(`term_${ti}_coef`, t.coef));
        nodes.push({
          input: [prod, `term_${ti}_coef`],
          output: [`term_${ti}`],
          name: `term_${ti}`,
          opType: 'Mul',
          domain: '',
        });
        if (sum === null) sum = `term_${ti}`;
        else {
          const out = `sum_${ti}`;
          nodes.push({ input: [sum, `term_${ti}`], output: [out], name: out, opType: 'Add', domain: '' });
          sum = out;
        }
      });
      initializers.push(f32('offset_constant', constant));
      nodes.push({
        input: [sum!, 'offset_constant'],
        output: ['offset_sum'],
        name: 'offset_constant_add',
        opType: 'Add',
        domain: '',
      });
      offsetIn = 'offset_sum';
    }
    nodes.push({ input: [offsetIn], output: ['offset_log'], name: 'log_offset', opType: 'Log', domain: '' });
    nodes.push({ input: ['raw', 'offset_log'], output: ['z'], name: 'add_offset', opType: 'Add', domain: '' });
    z = 'z';
  }
  nodes.push({
    input: [z],
    output: ['co2e_kg'],
    name: 'transform',
    opType: ens.transform === 'exp' ? 'Exp' : 'Identity',
    domain: '',
  });

  const F = ens.nFeatures;
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'carbon-nexus-models',
    producerVersion: '0.1.0',
    modelVersion: opts.modelVersion ?? 1,
    docString: opts.docString ?? '',
    opsetImport: [
      { domain: '', version: 13 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    graph: {
      name: 'co2e_estimator',
      node: nodes,
      initializer: initializers,
      input: [
        {
          name: 'features',
          type: {
            tensorType: {
              elemType: onnx.TensorProto.DataType.FLOAT,
              shape: { dim: [{ dimParam: 'N' }, { dimValue: F }] },
            },
          },
        },
      ],
      output: [
        {
          name: 'co2e_kg',
          type: {
            tensorType: {
              elemType: onnx.TensorProto.DataType.FLOAT,
              shape: { dim: [{ dimParam: 'N' }, { dimValue: 1 }] },
            },
          },
        },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
