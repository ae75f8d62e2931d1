namespace FewShot.Runtime.Tests.Models;

/// <summary>
/// Writes small ONNX models (ModelProto, IR version 8, default opset 17) as raw protobuf bytes, so the runtime's
/// tests need neither the Exporters project nor Google.Protobuf.
/// </summary>
/// <remarks>
/// Field numbers from onnx.proto: ModelProto ir_version=1, graph=7, opset_import=8 (domain=1, version=2);
/// GraphProto node=1, name=2, initializer=5, input=11, output=12; NodeProto input=1, output=2, name=3, op_type=4;
/// ValueInfoProto name=1, type=2; TypeProto tensor_type=1 (elem_type=1, shape=2 (dim=1 (dim_value=1 | dim_param=2)));
/// TensorProto dims=1, data_type=2, name=8, raw_data=9.
/// </remarks>
internal sealed class OnnxModelBuilder
{
    private readonly List<Action<ProtoWriter>> _graph = [];
    private int _nodeCount;

    public OnnxModelBuilder Input(string name, TensorElementType type, params Dim[] shape)
    {
        _graph.Add(g => g.Message(11, v => WriteValueInfo(v, name, type, shape)));
        return this;
    }

    public OnnxModelBuilder Output(string name, TensorElementType type, params Dim[] shape)
    {
        _graph.Add(g => g.Message(12, v => WriteValueInfo(v, name, type, shape)));
        return this;
    }

    public OnnxModelBuilder Node(string opType, string[] inputs, string[] outputs)
    {
        string name = $"{opType.ToLowerInvariant()}_{_nodeCount++}";
        _graph.Add(g => g.Message(1, n =>
        {
            foreach (string input in inputs)
            {
                n.String(1, input);
            }

            foreach (string output in outputs)
            {
                n.String(2, output);
            }

            n.String(3, name).String(4, opType);
        }));
        return this;
    }

    public OnnxModelBuilder Initializer(string name, float[] values, params long[] dims)
    {
        byte[] raw = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        _graph.Add(g => g.Message(5, t =>
        {
            foreach (long dim in dims)
            {
                t.Varint(1, dim);
            }

            t.Varint(2, (long)TensorElementType.Float).String(8, name).Bytes(9, raw);
        }));
        return this;
    }

    public byte[] Build(string graphName = "test") =>
        new ProtoWriter()
            .Varint(1, 8)
            .Message(7, g =>
            {
                g.String(2, graphName);
                foreach (Action<ProtoWriter> write in _graph)
                {
                    write(g);
                }
            })
            .Message(8, o => o.String(1, string.Empty).Varint(2, 17))
            .ToArray();

    private static void WriteValueInfo(ProtoWriter v, string name, TensorElementType type, Dim[] shape)
    {
        v.String(1, name).Message(2, t => t.Message(1, tensor =>
        {
            tensor.Varint(1, (long)type);
            tensor.Message(2, s =>
            {
                foreach (Dim dim in shape)
                {
                    s.Message(1, d =>
                    {
                        if (dim.Value is long value)
                        {
                            d.Varint(1, value);
                        }
                        else if (dim.Symbol is string symbol)
                        {
                            d.String(2, symbol);
                        }
                    });
                }
            });
        }));
    }
}
