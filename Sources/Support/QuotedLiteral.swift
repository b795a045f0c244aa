/// Double-quoted string literals: the escaping that the JSON writer and the gnuplot script writer
/// share, written once.
public enum QuotedLiteral {
    /// `text` between double quotes, with a backslash and a quote escaped by a backslash and a line
    /// break written `\n`; every other scalar is written as `other` gives it (`nil`: as it is).
    public static func quote(_ text: String, other: (Unicode.Scalar) -> String?) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default:
                if let written = other(scalar) { out += written } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
