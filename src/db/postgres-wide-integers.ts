import {
  OperationNodeTransformer,
  type DataTypeNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

/**
 * On PostgreSQL the migrations' `integer` columns are created as `bigint`: SQLite's INTEGER holds
 * 64 bits, PostgreSQL's `integer` 32, and a value past 2^31 (a long duration in ms, a large count)
 * would fail its whole page there on every run. Counts come back as numbers either way (INT8 parser).
 */
export class WideIntegersPlugin implements KyselyPlugin {
  private readonly transformer = new WideIntegers();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

class WideIntegers extends OperationNodeTransformer {
  protected override transformDataType(node: DataTypeNode): DataTypeNode {
    return node.dataType === 'integer' ? { ...node, dataType: 'bigint' } : node;
  }
}
