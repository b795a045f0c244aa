import Foundation
import Support

extension RobotArmGenerator {
    /// The translation speed no action of either family exceeds, in m/s: twice the typical
    /// `speed`. Segments and strokes peak at 1.3 times `speed` at most; the wiping drift adds up to
    /// 0.16 times it and the velocity noise (standard deviation about 0.08 times it) the rest.
    public var speedLimit: Double { 2 * speed }

    /// One wiping episode as rows of 7 actions: back-and-forth strokes on a surface.
    ///
    /// The gripper is closed on a pad (command 0 throughout) and the end effector stays on the
    /// surface. A stroke direction is drawn in the horizontal plane; each stroke runs a
    /// minimum-jerk profile over a length drawn around the episode's stroke length (6 to 14 cm)
    /// with its peak speed drawn as a pick-and-place segment's is, then the next one returns, so the
    /// velocity along the stroke direction changes sign at every stroke end (every 0.3 to 1.8 s). A slow drift perpendicular to the strokes (1 to 4 cm/s) moves the
    /// wiped strip across the surface. The wrist tilts with the stroke's acceleration as in
    /// pick-and-place but at a fifth of the gain (the pad pressed on the surface holds it), and the
    /// yaw only jitters; the teleoperation noise is the same random walk on the velocity.
    public func wipeEpisode(_ rng: inout SeededGenerator) -> [[Double]] {
        let dt = 1 / frequency
        let angle = rng.nextUniform(0, .pi)
        let along = SIMD3<Double>(cos(angle), sin(angle), 0), across = SIMD3<Double>(-sin(angle), cos(angle), 0)
        let length = rng.nextUniform(0.06, 0.14)                  // metres per stroke
        let peak = speed * rng.nextUniform(0.7, 1.3)               // peak stroke speed, as pick-and-place segments
        let drift = across * speed * rng.nextUniform(0.04, 0.16) * (rng.nextBool(probability: 0.5) ? 1 : -1)
        let strokes = 6 + rng.nextInt(below: 7)                   // 6 to 12 strokes per episode
        var rows: [[Double]] = []
        var noiseVel = SIMD3<Double>(0, 0, 0)   // teleoperation noise: a random walk on velocity
        let noiseStep = noise * speed * dt.squareRoot()
        var prevVel = SIMD3<Double>(0, 0, 0)
        var direction = 1.0
        // region: wipe-strokes
        for _ in 0..<strokes {
            let l = length * rng.nextUniform(0.85, 1.15)
            // Whole steps, rounded up, so the peak speed 1.875 l / duration never exceeds `peak`.
            let n = max(1, Int((max(0.3, 1.875 * l / peak) * frequency).rounded(.up)))
            var previous = 0.0
            for k in 1...n {
                let s = minimumJerk(Double(k) / Double(n))
                noiseVel = noiseVel * 0.95 + SIMD3(rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()) * noiseStep
                let delta = along * (direction * l * (s - previous)) + (drift + noiseVel) * dt
                previous = s
                let vel = delta / dt
                let acc = (vel - prevVel) / dt
                prevVel = vel
                // The wrist's gain on the acceleration is a fifth of pick-and-place's (0.02): the pad on the surface holds it.
                let droll = (-0.004 * acc.y + 0.002 * rng.nextGaussian()) * dt
                let dpitch = (0.004 * acc.x + 0.002 * rng.nextGaussian()) * dt
                let dyaw = 0.002 * rng.nextGaussian() * dt
                rows.append([delta.x, delta.y, delta.z, droll, dpitch, dyaw, 0])
            }
            direction = -direction
        }
        // endregion: wipe-strokes
        return rows
    }
}
