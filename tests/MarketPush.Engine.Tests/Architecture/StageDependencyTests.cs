using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using MarketPush.Engine.Transport;

namespace MarketPush.Engine.Tests.Architecture;

/// <summary>
/// Dependencies point one way down the data path (STYLE.md): Feeds → Ingest → Routing → Sessions → Transport, with
/// Buffers below every stage and Metrics known by all, knowing none. The first test checks the compiled Engine
/// assembly; the others prove the checker finds what it must, on small assemblies emitted here.
/// </summary>
public class StageDependencyTests
{
    private const string PlantedRoot = "Planted";

    [Fact]
    public void EngineAssembly_NoStageReferencesAStageUpstreamOfIt()
    {
        using FileStream file = File.OpenRead(typeof(StreamServer).Assembly.Location);
        using var assembly = new PEReader(file);

        IReadOnlyList<StageViolation> violations = StageDependencyChecker.FindViolations(assembly, "MarketPush.Engine");

        Assert.True(violations.Count == 0, "References against the data path:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void EngineAssembly_HasExactlyTheLayersTheRuleKnows()
    {
        // Guards the test above against passing vacuously: the rule lets a layer it does not know reference anything,
        // so a renamed or new namespace would escape it. Every layer in the Engine must be one the rule names, and
        // every layer the rule names must exist (a rename on either side fails here).
        using FileStream file = File.OpenRead(typeof(StreamServer).Assembly.Location);
        using var assembly = new PEReader(file);
        MetadataReader reader = assembly.GetMetadataReader();
        HashSet<string> layers = [.. reader.TypeDefinitions
            .Select(h => StageDependencyChecker.Layer(StageDependencyChecker.FullName(reader, h), "MarketPush.Engine"))
            .OfType<string>()];
        string[] known = [.. StageDependencyChecker.Stages, .. StageDependencyChecker.BelowStages, "Metrics"];

        Assert.Empty(layers.Except(known));
        Assert.Empty(known.Except(layers));
    }

    [Theory]
    [InlineData("Ingest", "Feeds", false)]
    [InlineData("Feeds", "Ingest", true)]
    [InlineData("Feeds", "Transport", true)]
    [InlineData("Transport", "Sessions", false)]
    [InlineData("Sessions", "Routing", false)]
    [InlineData("Routing", "Sessions", true)]
    [InlineData("Sessions", "Buffers", true)]
    [InlineData("Buffers", "Sessions", false)]
    [InlineData("Buffers", "Metrics", true)]
    [InlineData("Routing", "Instruments", true)]
    [InlineData("Instruments", "Feeds", false)]
    [InlineData("Instruments", "Buffers", false)]
    [InlineData("Transport", "Metrics", true)]
    [InlineData("Metrics", "Sessions", false)]
    [InlineData("Metrics", "Buffers", false)]
    public void Rule_AllowsDownstreamAndBelow_RefusesUpstream(string from, string to, bool allowed) =>
        Assert.Equal(allowed, StageDependencyChecker.IsAllowed(from, to));

    [Fact]
    public void Checker_FindsAnUpstreamCallThatOnlyAMethodBodyMakes()
    {
        using PEReader assembly = Emit(module =>
        {
            TypeBuilder source = module.DefineType(PlantedRoot + ".Feeds.Source", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed);
            MethodBuilder value = source.DefineMethod("Value", MethodAttributes.Public | MethodAttributes.Static, typeof(int), Type.EmptyTypes);
            ILGenerator valueIl = value.GetILGenerator();
            valueIl.Emit(OpCodes.Ldc_I4_1);
            valueIl.Emit(OpCodes.Ret);
            source.CreateType();

            // Its signature is all int: only the call in its body names the upstream type.
            TypeBuilder sink = module.DefineType(PlantedRoot + ".Ingest.Sink", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed);
            MethodBuilder read = sink.DefineMethod("Read", MethodAttributes.Public | MethodAttributes.Static, typeof(int), Type.EmptyTypes);
            ILGenerator readIl = read.GetILGenerator();
            readIl.Emit(OpCodes.Call, value);
            readIl.Emit(OpCodes.Ret);
            sink.CreateType();
        });

        StageViolation violation = Assert.Single(StageDependencyChecker.FindViolations(assembly, PlantedRoot));

        Assert.Equal(("Planted.Ingest.Sink", "Planted.Feeds.Source", "body of Read"), (violation.FromType, violation.ToType, violation.Where));
    }

    [Fact]
    public void Checker_FindsUpstreamFieldsBaseTypesAndLocals_InNestedTypesToo_AndLetsDownstreamReferencesBe()
    {
        using PEReader assembly = Emit(module =>
        {
            TypeBuilder session = module.DefineType(PlantedRoot + ".Sessions.Session", TypeAttributes.Public);
            session.DefineDefaultConstructor(MethodAttributes.Public);
            session.CreateType();

            // Downstream and sideways references: allowed.
            TypeBuilder router = module.DefineType(PlantedRoot + ".Routing.Router", TypeAttributes.Public);
            router.DefineField("_session", session, FieldAttributes.Private);
            router.CreateType();

            // A Metrics type that knows a session (field), a Transport type deriving from one, and a state machine
            // nested in a Transport type whose method only holds a Routing local.
            TypeBuilder meter = module.DefineType(PlantedRoot + ".Metrics.Meter", TypeAttributes.Public);
            meter.DefineField("_last", session, FieldAttributes.Private);
            meter.CreateType();
            TypeBuilder connection = module.DefineType(PlantedRoot + ".Transport.Connection", TypeAttributes.Public, session);
            TypeBuilder machine = connection.DefineNestedType("<RunAsync>d__1", TypeAttributes.NestedPrivate);
            MethodBuilder step = machine.DefineMethod("MoveNext", MethodAttributes.Public, typeof(void), Type.EmptyTypes);
            ILGenerator il = step.GetILGenerator();
            il.DeclareLocal(router);
            il.Emit(OpCodes.Ret);
            connection.CreateType();
            machine.CreateType();
        });

        IReadOnlyList<StageViolation> violations = StageDependencyChecker.FindViolations(assembly, PlantedRoot);

        Assert.Equal(
            [
                ("Planted.Metrics.Meter", "Planted.Sessions.Session", "field _last"),
                ("Planted.Transport.Connection", "Planted.Routing.Router", "locals of MoveNext"),
                ("Planted.Transport.Connection", "Planted.Sessions.Session", "base type"),
            ],
            violations.Select(static v => (v.FromType, v.ToType, v.Where)));
    }

    /// <summary>Emits a small assembly with <paramref name="define"/> and opens it the way the Engine's is opened.</summary>
    private static PEReader Emit(Action<ModuleBuilder> define)
    {
        var builder = new PersistedAssemblyBuilder(new AssemblyName(PlantedRoot), typeof(object).Assembly);
        define(builder.DefineDynamicModule(PlantedRoot));
        var image = new MemoryStream();
        builder.Save(image);
        image.Position = 0;
        return new PEReader(image);
    }
}
