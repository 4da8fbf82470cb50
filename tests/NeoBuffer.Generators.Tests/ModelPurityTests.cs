using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NeoBuffer.Generators.Model;

namespace NeoBuffer.Generators.Tests;

/// <summary>
/// The model the pipeline caches must hold plain values only: a symbol, node, location or compilation in it would
/// root a whole compilation and defeat caching.
/// </summary>
public sealed class ModelPurityTests
{
    private static readonly Type[] s_forbidden = [typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(Compilation), typeof(SemanticModel)];

    [Fact]
    public void The_model_graph_holds_no_roslyn_objects()
    {
        var seen = new HashSet<Type>();
        Walk(typeof(MessageModel), "MessageModel", seen);
        // The walk reached the field model through EquatableArray<T>; a walk that stopped early proves nothing.
        Assert.Contains(seen, t => t.Name == "ClassifiedField");
    }

    [Fact]
    public void The_process_function_model_holds_no_roslyn_objects()
    {
        var seen = new HashSet<Type>();
        Walk(typeof(NeoBuffer.Generators.Processes.ProcessFunctionModel), "ProcessFunctionModel", seen);
        Assert.Contains(seen, t => t.Name == "ProcessArgument");
        Assert.Contains(seen, t => t.Name == "ProcessRejection");
    }

    [Fact]
    public void Models_built_twice_from_the_same_source_are_equal()
    {
        string source = Scenarios.All["VarArray"];
        MessageModel first = Create(GeneratorHarness.Compilation(source), "Demo.Series");
        MessageModel second = Create(GeneratorHarness.Compilation(source), "Demo.Series");
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    private static MessageModel Create(CSharpCompilation compilation, string typeName) =>
        MessageModelFactory.Create(compilation.GetTypeByMetadataName(typeName)!, default)!;

    private static void Walk(Type type, string path, HashSet<Type> seen)
    {
        Assert.False(s_forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} is a {type.Name}");
        Assert.False(type == typeof(object) || type.IsInterface && type != typeof(IEquatable<>), $"{path} is {type.Name}: it could hold anything");
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || !seen.Add(type))
        {
            return;
        }

        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            Type fieldType = field.FieldType.IsArray ? field.FieldType.GetElementType()! : field.FieldType;
            Walk(fieldType, $"{path}.{field.Name}", seen);
        }
    }
}
