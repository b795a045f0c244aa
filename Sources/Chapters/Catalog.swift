import Experiments

/// The book's chapters: every slug in reading order, and the ones the workbench can run.
public enum Catalog {
    /// The eight chapter slugs, in the book's order.
    public static let slugs = ["foundations", "architectures", "data", "training", "evaluation", "deployment", "applications", "future"]

    /// The chapters that have experiments, in the book's order.
    public static let chapters: [Chapter] = [.foundations, .architectures, .data, .training, .evaluation, .deployment, .applications, .future]

    /// The chapter with `slug`, if it has experiments.
    public static func chapter(_ slug: String) -> Chapter? { chapters.first { $0.slug == slug } }
}
