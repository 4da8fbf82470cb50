using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NeoBuffer.Cli.Decoding;

/// <summary>Decoded fields as one line of text (for people) or as JSON members (for programs).</summary>
internal static class DecodedRendering
{
    /// <summary>Elements of an array shown in text before "... N more".</summary>
    private const int TextElements = 8;

    /// <summary>Writes each field as a JSON member: numbers as numbers, absent fields as null, bytes as length and hex.</summary>
    public static void WriteJson(Utf8JsonWriter json, IEnumerable<DecodedValue> fields)
    {
        foreach (DecodedValue field in fields)
        {
            json.WritePropertyName(field.Name);
            WriteJsonValue(json, field);
        }
    }

    public static void WriteJsonValue(Utf8JsonWriter json, DecodedValue value)
    {
        switch (value.Kind)
        {
            case DecodedKind.Integer:
                json.WriteNumberValue(value.Number);
                break;
            case DecodedKind.Unsigned:
                json.WriteNumberValue(value.Unsigned);
                break;
            case DecodedKind.Boolean:
                json.WriteBooleanValue(value.Number != 0);
                break;
            case DecodedKind.Float:
                if (double.IsFinite(value.Float))
                {
                    json.WriteNumberValue(value.Float);
                }
                else
                {
                    json.WriteStringValue(value.Float.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case DecodedKind.Text:
                json.WriteStringValue(value.Text);
                break;
            case DecodedKind.Bytes:
                json.WriteStartObject();
                json.WriteNumber("length", value.Length);
                json.WriteString("hex", Convert.ToHexStringLower(value.Preview!));
                json.WriteEndObject();
                break;
            case DecodedKind.List:
                json.WriteStartArray();
                foreach (DecodedValue element in value.Children)
                {
                    WriteJsonValue(json, element);
                }

                json.WriteEndArray();
                break;
            case DecodedKind.Object:
                json.WriteStartObject();
                WriteJson(json, value.Children);
                json.WriteEndObject();
                break;
            case DecodedKind.Absent:
                json.WriteNullValue();
                break;
            default:
                json.WriteStartObject();
                json.WriteString("invalid", value.Text);
                json.WriteEndObject();
                break;
        }
    }

    /// <summary>The fields as <c>Name=value</c> words on one line; text quoted with control characters escaped.</summary>
    public static string Text(IEnumerable<DecodedValue> fields)
    {
        var line = new StringBuilder();
        foreach (DecodedValue field in fields)
        {
            if (line.Length > 0)
            {
                line.Append(' ');
            }

            line.Append(field.Name).Append('=');
            AppendText(line, field);
        }

        return line.ToString();
    }

    private static void AppendText(StringBuilder line, DecodedValue value)
    {
        switch (value.Kind)
        {
            case DecodedKind.Integer when value.EnumType is not null:
                line.Append(value.EnumType).Append('(').Append(value.Number.ToString(CultureInfo.InvariantCulture)).Append(')');
                break;
            case DecodedKind.Integer:
                line.Append(value.Number.ToString(CultureInfo.InvariantCulture));
                break;
            case DecodedKind.Unsigned:
                line.Append(value.Unsigned.ToString(CultureInfo.InvariantCulture));
                break;
            case DecodedKind.Boolean:
                line.Append(value.Number != 0 ? "true" : "false");
                break;
            case DecodedKind.Float:
                line.Append(value.Float.ToString("R", CultureInfo.InvariantCulture));
                break;
            case DecodedKind.Text:
                line.Append('"').Append(Escape(value.Text!)).Append('"');
                break;
            case DecodedKind.Bytes:
                line.Append('<').Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(" bytes");
                if (value.Preview!.Length > 0)
                {
                    line.Append(' ').Append(Convert.ToHexStringLower(value.Preview.AsSpan(0, Math.Min(value.Preview.Length, 16))));
                    line.Append(value.Length > 16 ? "..." : "");
                }

                line.Append('>');
                break;
            case DecodedKind.List:
                line.Append('[');
                for (int i = 0; i < value.Children.Count && i < TextElements; i++)
                {
                    line.Append(i > 0 ? ", " : "");
                    AppendText(line, value.Children[i]);
                }

                line.Append(value.Children.Count > TextElements ? $", ... {value.Children.Count - TextElements} more]" : "]");
                break;
            case DecodedKind.Object:
                line.Append('{').Append(Text(value.Children)).Append('}');
                break;
            case DecodedKind.Absent:
                line.Append("(absent)");
                break;
            default:
                line.Append("(invalid: ").Append(value.Text).Append(')');
                break;
        }
    }

    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            _ = c switch
            {
                '"' => escaped.Append("\\\""),
                '\\' => escaped.Append("\\\\"),
                _ when char.IsControl(c) => escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }
}
