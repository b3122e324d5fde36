using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace MarketPush.Engine.Tests.Architecture;

/// <summary>
/// Finds every reference from a type in one stage's namespace to a type in a stage upstream of it, by reading the
/// compiled assembly's metadata (System.Reflection.Metadata): base types and interfaces, generic constraints, field,
/// property, event and method signatures, and method bodies (the locals' signature and every type, field and method
/// token the IL uses, including the parents and signatures of member references). Compiler-generated types (async
/// state machines, closures) count as the type they are nested in, so a lambda's body is checked too.
/// </summary>
/// <remarks>
/// The data path, upstream first: Feeds → Ingest → Routing → Sessions → Transport. A stage may reference the stages
/// downstream of it and the layers below every stage (Buffers, Instruments; Protocol is another assembly that
/// references none of these), which know no stage and not each other; Metrics may be referenced by all but references no stage and no other layer. Sub-namespaces belong to their
/// stage (<c>Feeds.Capture</c> is Feeds). Types outside <c>&lt;root&gt;.&lt;layer&gt;</c> are not checked.
/// </remarks>
internal static class StageDependencyChecker
{
    /// <summary>The data path, upstream first.</summary>
    public static readonly ImmutableArray<string> Stages = ["Feeds", "Ingest", "Routing", "Sessions", "Transport"];

    /// <summary>Layers below every stage: frame buffers, and the instrument reference data every stage reads.</summary>
    public static readonly ImmutableArray<string> BelowStages = ["Buffers", "Instruments"];

    /// <summary>Every reference that breaks the rule, one per (from type, to type), with where it was seen first.</summary>
    public static IReadOnlyList<StageViolation> FindViolations(PEReader assembly, string rootNamespace)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        MetadataReader reader = assembly.GetMetadataReader();
        var violations = new Dictionary<(string From, string To), StageViolation>();
        var provider = new TypeCollector(reader, assembly.GetMethodBody);
        foreach (TypeDefinitionHandle handle in reader.TypeDefinitions)
        {
            if (!reader.GetTypeDefinition(handle).GetDeclaringType().IsNil)
            {
                continue; // a nested type's references are its enclosing type's (ReferencedTypes walks them)
            }

            string from = FullName(reader, handle);
            string? fromLayer = Layer(from, rootNamespace);
            if (fromLayer is null)
            {
                continue;
            }

            foreach ((string to, string where) in ReferencedTypes(reader, handle, provider))
            {
                string? toLayer = Layer(to, rootNamespace);
                if (toLayer is not null && !IsAllowed(fromLayer, toLayer))
                {
                    violations.TryAdd((from, to), new StageViolation(from, fromLayer, to, toLayer, where));
                }
            }
        }

        return [.. violations.Values.OrderBy(static v => v.FromType, StringComparer.Ordinal).ThenBy(static v => v.ToType, StringComparer.Ordinal)];
    }

    /// <summary>Whether a type in <paramref name="from"/> may reference one in <paramref name="to"/> (layer names as in <see cref="Stages"/>).</summary>
    public static bool IsAllowed(string from, string to)
    {
        if (from == to || to == "Metrics")
        {
            return true;
        }

        if (from == "Metrics")
        {
            return false; // observed by all, knowing none
        }

        if (BelowStages.Contains(to))
        {
            return !BelowStages.Contains(from); // below every stage; the layers below do not know each other
        }

        if (BelowStages.Contains(from))
        {
            return false;
        }

        int fromIndex = Stages.IndexOf(from);
        int toIndex = Stages.IndexOf(to);
        if (fromIndex < 0 || toIndex < 0)
        {
            return true; // a layer this rule does not know about (see Layer)
        }

        return toIndex > fromIndex;
    }

    /// <summary>The layer (first namespace segment under the root) of a full type name, or null outside the root.</summary>
    public static string? Layer(string fullName, string rootNamespace)
    {
        string prefix = rootNamespace + ".";
        if (!fullName.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        string rest = fullName[prefix.Length..];
        int dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? null : rest[..dot]; // a type directly in the root namespace belongs to no layer
    }

    private static IEnumerable<(string Type, string Where)> ReferencedTypes(MetadataReader reader, TypeDefinitionHandle handle, TypeCollector provider)
    {
        TypeDefinition type = reader.GetTypeDefinition(handle);
        var found = new List<(string, string)>();

        void Collect(string where, Action decode)
        {
            provider.Found.Clear();
            decode();
            foreach (string name in provider.Found)
            {
                found.Add((name, where));
            }
        }

        if (!type.BaseType.IsNil)
        {
            Collect("base type", () => provider.Add(type.BaseType));
        }

        foreach (InterfaceImplementationHandle implementation in type.GetInterfaceImplementations())
        {
            Collect("interface", () => provider.Add(reader.GetInterfaceImplementation(implementation).Interface));
        }

        foreach (GenericParameterHandle parameter in type.GetGenericParameters())
        {
            foreach (GenericParameterConstraintHandle constraint in reader.GetGenericParameter(parameter).GetConstraints())
            {
                Collect("generic constraint", () => provider.Add(reader.GetGenericParameterConstraint(constraint).Type));
            }
        }

        foreach (FieldDefinitionHandle fieldHandle in type.GetFields())
        {
            FieldDefinition field = reader.GetFieldDefinition(fieldHandle);
            Collect("field " + reader.GetString(field.Name), () => field.DecodeSignature(provider, null));
        }

        foreach (PropertyDefinitionHandle propertyHandle in type.GetProperties())
        {
            PropertyDefinition property = reader.GetPropertyDefinition(propertyHandle);
            Collect("property " + reader.GetString(property.Name), () => property.DecodeSignature(provider, null));
        }

        foreach (EventDefinitionHandle eventHandle in type.GetEvents())
        {
            EventDefinition @event = reader.GetEventDefinition(eventHandle);
            Collect("event " + reader.GetString(@event.Name), () => provider.Add(@event.Type));
        }

        foreach (MethodDefinitionHandle methodHandle in type.GetMethods())
        {
            MethodDefinition method = reader.GetMethodDefinition(methodHandle);
            string name = reader.GetString(method.Name);
            Collect("signature of " + name, () => method.DecodeSignature(provider, null));
            foreach (GenericParameterHandle parameter in method.GetGenericParameters())
            {
                foreach (GenericParameterConstraintHandle constraint in reader.GetGenericParameter(parameter).GetConstraints())
                {
                    Collect("generic constraint of " + name, () => provider.Add(reader.GetGenericParameterConstraint(constraint).Type));
                }
            }

            if (method.RelativeVirtualAddress == 0)
            {
                continue; // abstract, extern or an interface member: no body
            }

            MethodBodyBlock body = provider.ReadBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil)
            {
                Collect("locals of " + name, () => reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null));
            }

            Collect("body of " + name, () => DecodeBody(reader, body.GetILBytes() ?? [], provider));
        }

        foreach (TypeDefinitionHandle nested in type.GetNestedTypes())
        {
            found.AddRange(ReferencedTypes(reader, nested, provider)); // counted as the enclosing type's references
        }

        return found;
    }

    /// <summary>Walks the IL and records the types behind every metadata token an instruction carries.</summary>
    private static void DecodeBody(MetadataReader reader, byte[] il, TypeCollector provider)
    {
        int offset = 0;
        while (offset < il.Length)
        {
            OpCode opCode;
            byte first = il[offset++];
            if (first == 0xFE)
            {
                opCode = s_twoByte[il[offset++]];
            }
            else
            {
                opCode = s_oneByte[first];
            }

            switch (opCode.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    offset += 1;
                    break;
                case OperandType.InlineVar:
                    offset += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    offset += 8;
                    break;
                case OperandType.InlineSwitch:
                    int count = BitConverter.ToInt32(il, offset);
                    offset += 4 + (4 * count);
                    break;
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                case OperandType.InlineSig:
                    int token = BitConverter.ToInt32(il, offset);
                    offset += 4;
                    provider.AddToken(MetadataTokens.EntityHandle(token));
                    break;
                default: // InlineI, InlineBrTarget, InlineString, ShortInlineR
                    offset += 4;
                    break;
            }
        }
    }

    private static readonly OpCode[] s_oneByte = new OpCode[256];
    private static readonly OpCode[] s_twoByte = new OpCode[256];

#pragma warning disable CA1810 // the opcode tables are filled from the framework's OpCodes fields once
    static StageDependencyChecker()
#pragma warning restore CA1810
    {
        foreach (FieldInfo field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var opCode = (OpCode)field.GetValue(null)!;
            ushort value = unchecked((ushort)opCode.Value);
            if (opCode.Size == 1)
            {
                s_oneByte[value] = opCode;
            }
            else
            {
                s_twoByte[value & 0xFF] = opCode;
            }
        }
    }

    internal static string FullName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        TypeDefinition type = reader.GetTypeDefinition(handle);
        TypeDefinitionHandle declaring = type.GetDeclaringType();
        return declaring.IsNil
            ? Join(reader.GetString(type.Namespace), reader.GetString(type.Name))
            : FullName(reader, declaring) + "+" + reader.GetString(type.Name);
    }

    internal static string FullName(MetadataReader reader, TypeReferenceHandle handle)
    {
        TypeReference type = reader.GetTypeReference(handle);
        return type.ResolutionScope.Kind == HandleKind.TypeReference
            ? FullName(reader, (TypeReferenceHandle)type.ResolutionScope) + "+" + reader.GetString(type.Name)
            : Join(reader.GetString(type.Namespace), reader.GetString(type.Name));
    }

    private static string Join(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;
}
