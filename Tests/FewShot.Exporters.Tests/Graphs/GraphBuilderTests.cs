using FewShot.Exporters.Graphs;
using FewShot.Exporters.Onnx;
using FewShot.Tests.Shared;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Tests.Graphs;

public sealed class GraphBuilderTests
{
    [Fact]
    public void NamesStayUniqueAcrossNodes()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DataType.Float, "batch", 3);
        var a = g.Op("Relu", [x]);
        var b = g.Op("Relu", [a]);
        var c = g.Op("Relu", [b]);

        Assert.Equal(3, new[] { a, b, c }.Distinct().Count());
        Assert.Equal(g.Graph.Node.Count, g.Graph.Node.Select(n => n.Name).Distinct().Count());
    }

    [Fact]
    public void DuplicateInputNameIsRejectedWithItsName()
    {
        var g = new GraphBuilder();
        g.Input("x", DataType.Float, 1);

        var error = Assert.Throws<ArgumentException>(() => g.Input("x", DataType.Float, 1));
        Assert.Contains("'x'", error.Message);
    }

    [Fact]
    public void UnknownNodeInputIsRejected()
    {
        var g = new GraphBuilder();

        var error = Assert.Throws<ArgumentException>(() => g.Op("Relu", ["nowhere"]));
        Assert.Contains("'nowhere'", error.Message);
    }

    [Fact]
    public void ElementTypesFollowTheOperators()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DataType.Double, 2, 3);
        var shape = g.Op("Shape", [x]);
        var positive = g.Op("Greater", [x, g.Scalar(0, DataType.Double)]);
        var asFloat = g.Op("Cast", [x], Attr.Int("to", (long)DataType.Float));
        var relu = g.Op("Relu", [x]);

        Assert.Equal(DataType.Int64, g.ElementTypeOf(shape));
        Assert.Equal(DataType.Bool, g.ElementTypeOf(positive));
        Assert.Equal(DataType.Float, g.ElementTypeOf(asFloat));
        Assert.Equal(DataType.Double, g.ElementTypeOf(relu));
    }

    [Fact]
    public void TensorDataRoundTripsAndChecksCounts()
    {
        var tensor = TensorData.Float("w", [2, 2], [1f, -2f, 3.5f, 0f]);

        Assert.Equal([1f, -2f, 3.5f, 0f], TensorData.ToFloats(tensor));
        Assert.Throws<ArgumentException>(() => TensorData.Float("w", [2, 3], [1f]));
        Assert.Throws<InvalidDataException>(() => TensorData.ToDoubles(tensor));
    }

    [Fact]
    public void EditContinuesAnExistingGraphWithoutNameClashes()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", DataType.Float, 4);
        var y = g.Op("Relu", [x]);
        g.Output(y);

        var again = GraphBuilder.Edit(OnnxModelFile.Parse(OnnxModelFile.ToBytes(g.ToModel())).Graph);
        var z = again.Op("Relu", [y]);

        Assert.NotEqual(y, z);
        Assert.Equal(DataType.Float, again.ElementTypeOf(z));
    }

    [Fact]
    public void WrittenModelPassesTheOnnxChecker()
    {
        var g = new GraphBuilder("checked");
        var x = g.Input("x", DataType.Float, "batch", 3);
        var w = g.Initializer(TensorData.Float("w", [3, 2], [1, 2, 3, 4, 5, 6]));
        var y = g.Op("MatMul", [x, w]);
        var z = g.Op("Softmax", [y], Attr.Int("axis", -1));
        g.Output(z, ["batch", 2]);

        var model = g.ToModel();

        Assert.Equal(OnnxVersions.IrVersion, model.IrVersion);
        Assert.Equal(OnnxVersions.Opset, model.OpsetImport.Single().Version);
        OnnxChecker.AssertValid(OnnxModelFile.ToBytes(model), "a MatMul+Softmax model");
    }

    [Fact]
    public void SaveIsAtomicAndLoadRejectsGarbage()
    {
        var dir = Directory.CreateTempSubdirectory("fewshot-graph-");
        try
        {
            var path = Path.Combine(dir.FullName, "m.onnx");
            var g = new GraphBuilder();
            g.Output(g.Op("Relu", [g.Input("x", DataType.Float, 2)]));
            OnnxModelFile.Save(g.ToModel(), path);

            Assert.Single(Directory.GetFiles(dir.FullName));
            Assert.Equal("Relu", OnnxModelFile.Load(path).Graph.Node.Single().OpType);

            File.WriteAllBytes(path, [0xFF, 0xFF, 0xFF, 0x01]);
            Assert.Throws<InvalidDataException>(() => OnnxModelFile.Load(path));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
