import Experiments

extension Chapter {
    /// The data chapter: what the data does to a tokenizer.
    ///
    /// 1. Outlier sensitivity — min-max binning against OpenVLA's percentile binning and
    ///    equal-mass binning when the fitting data holds a few wild values.
    public static let data = Chapter(slug: "data", title: "Data", experiments: [
        AnyExperiment(OutlierSensitivity()),
    ])
}
