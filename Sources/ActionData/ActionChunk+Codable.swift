/// A chunk as `{steps, dims, values}`; decoding checks the shape and values like ``ActionChunk/init(steps:dims:values:)``.
extension ActionChunk: Codable {
    enum CodingKeys: String, CodingKey { case steps, dims, values }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(steps: try c.decode(Int.self, forKey: .steps), dims: try c.decode(Int.self, forKey: .dims),
                      values: try c.decode([Double].self, forKey: .values))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(steps, forKey: .steps)
        try c.encode(dims, forKey: .dims)
        try c.encode(values, forKey: .values)
    }
}
