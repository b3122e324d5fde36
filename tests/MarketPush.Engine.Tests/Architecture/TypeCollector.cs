using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace MarketPush.Engine.Tests.Architecture;

/// <summary>
/// A signature decoder for <see cref="StageDependencyChecker"/> that records the full name of every type definition
/// and reference a signature mentions (generic arguments, arrays, pointers and modifiers included) in
/// <see cref="Found"/>; the decoded "types" themselves are just those names.
/// </summary>
internal sealed class TypeCollector : ISignatureTypeProvider<string, object?>
{
    private readonly MetadataReader _reader;
    private readonly Func<int, MethodBodyBlock> _bodies;

    /// <param name="bodies">Reads a method body by its relative virtual address (PEReader.GetMethodBody).</param>
    public TypeCollector(MetadataReader reader, Func<int, MethodBodyBlock> bodies)
    {
        _reader = reader;
        _bodies = bodies;
    }

    /// <summary>Names recorded since the last <c>Clear</c>.</summary>
    public HashSet<string> Found { get; } = new(StringComparer.Ordinal);

    public MethodBodyBlock ReadBody(int relativeVirtualAddress) => _bodies(relativeVirtualAddress);

    /// <summary>Records a TypeDef, TypeRef or TypeSpec handle.</summary>
    public void Add(EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                GetTypeFromDefinition(_reader, (TypeDefinitionHandle)handle, 0);
                break;
            case HandleKind.TypeReference:
                GetTypeFromReference(_reader, (TypeReferenceHandle)handle, 0);
                break;
            case HandleKind.TypeSpecification:
                GetTypeFromSpecification(_reader, null, (TypeSpecificationHandle)handle, 0);
                break;
        }
    }

    /// <summary>Records the types behind a token used in a method body: the type itself, or a member's owner and signature.</summary>
    public void AddToken(EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
            case HandleKind.TypeReference:
            case HandleKind.TypeSpecification:
                Add(handle);
                break;
            case HandleKind.FieldDefinition:
                FieldDefinition field = _reader.GetFieldDefinition((FieldDefinitionHandle)handle);
                Add(field.GetDeclaringType());
                field.DecodeSignature(this, null);
                break;
            case HandleKind.MethodDefinition:
                MethodDefinition method = _reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                Add(method.GetDeclaringType());
                method.DecodeSignature(this, null);
                break;
            case HandleKind.MemberReference:
                MemberReference member = _reader.GetMemberReference((MemberReferenceHandle)handle);
                if (member.Parent.Kind == HandleKind.MethodDefinition)
                {
                    AddToken((MethodDefinitionHandle)member.Parent);
                }
                else
                {
                    Add(member.Parent);
                }

                if (member.GetKind() == MemberReferenceKind.Field)
                {
                    member.DecodeFieldSignature(this, null);
                }
                else
                {
                    member.DecodeMethodSignature(this, null);
                }

                break;
            case HandleKind.MethodSpecification:
                MethodSpecification specification = _reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                AddToken(specification.Method);
                specification.DecodeSignature(this, null);
                break;
            case HandleKind.StandaloneSignature:
                StandaloneSignature signature = _reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                if (signature.GetKind() == StandaloneSignatureKind.Method)
                {
                    signature.DecodeMethodSignature(this, null);
                }

                break;
        }
    }

    public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
    {
        string name = StageDependencyChecker.FullName(reader, handle);
        Found.Add(name);
        return name;
    }

    public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
    {
        string name = StageDependencyChecker.FullName(reader, handle);
        Found.Add(name);
        return name;
    }

    public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

    public string GetSZArrayType(string elementType) => elementType + "[]";

    public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[,]";

    public string GetByReferenceType(string elementType) => elementType + "&";

    public string GetPointerType(string elementType) => elementType + "*";

    public string GetPinnedType(string elementType) => elementType;

    public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType;

    public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;

    public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;

    public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;

    public string GetFunctionPointerType(MethodSignature<string> signature) => "method*";

    public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
}
