import Foundation
import Support

/// A seeded synthetic robot-arm data set: pick-and-place (or wiping) episodes sampled at any control frequency.
///
/// ``Family/pickAndPlace`` (the default): each episode moves an end effector through reach, grasp, lift, carry, place and retreat
/// segments. Every segment follows a minimum-jerk profile between waypoints, so the translation
/// dimensions move together (correlated), the wrist yaw turns towards the object's orientation
/// during the approach, roll and pitch tilt with the acceleration, and the gripper closes and
/// opens smoothly. The actions are the 6 end-effector deltas per step (metres and radians) plus
/// the absolute gripper command in [0, 1] (1 = open), as in common teleoperation data sets.
/// Teleoperation noise is a small random walk on the velocity.
///
/// ``Family/wipe``: the same arm, action space, units and noise wiping a surface in back-and-forth
/// strokes (see `RobotArmGenerator+Wipe.swift`); the two families share the actions but not the motion.
public struct RobotArmGenerator: Sendable {
    /// The kind of motion an episode performs.
    public enum Family: String, Sendable, CaseIterable {
        /// Reach, grasp, lift, carry, place and retreat.
        case pickAndPlace = "pick-and-place"
        /// Back-and-forth strokes on a surface with the gripper closed on a pad.
        case wipe
    }


    /// The names of the 7 action dimensions.
    public static let dimensionNames = ["dx", "dy", "dz", "droll", "dpitch", "dyaw", "gripper"]
    /// Index of the gripper dimension; the others are continuous end-effector deltas.
    public static let gripperDimension = 6

    /// Control frequency in Hz (steps per second).
    public var frequency: Double
    /// Length of one chunk in seconds (steps per chunk = frequency x seconds, rounded).
    public var chunkSeconds: Double
    /// Typical translation speed in m/s (each segment draws around it).
    public var speed: Double
    /// Standard deviation of the velocity noise, as a fraction of the typical speed.
    public var noise: Double
    /// The motion family of every episode.
    public var family: Family

    /// Creates a generator; the defaults give 1-second pick-and-place chunks at 10 Hz.
    public init(frequency: Double = 10, chunkSeconds: Double = 1, speed: Double = 0.25, noise: Double = 0.03,
                family: Family = .pickAndPlace) {
        self.frequency = frequency; self.chunkSeconds = chunkSeconds; self.speed = speed; self.noise = noise
        self.family = family
    }

    /// Steps in one chunk.
    public var stepsPerChunk: Int { max(1, Int((frequency * chunkSeconds).rounded())) }

    /// Checks that the parameters describe a usable data set.
    public func validate() throws {
        guard frequency.isFinite, frequency >= 1, frequency <= 2000 else { throw ActionDataError.invalidParameter("frequency must be in [1, 2000] Hz, got \(frequency)") }
        guard chunkSeconds.isFinite, chunkSeconds > 0, chunkSeconds <= 60 else { throw ActionDataError.invalidParameter("chunk length must be in (0, 60] s, got \(chunkSeconds)") }
        guard speed.isFinite, speed > 0 else { throw ActionDataError.invalidParameter("speed must be positive, got \(speed)") }
        guard noise.isFinite, noise >= 0 else { throw ActionDataError.invalidParameter("noise must be non-negative, got \(noise)") }
    }

    /// `count` non-overlapping chunks cut from consecutive episodes drawn with `seed` (each family
    /// draws from its own stream, so the same seed gives unrelated episodes of the two families).
    public func chunks(count: Int, seed: UInt64) throws -> ChunkSet {
        try validate()
        guard count > 0 else { throw ActionDataError.empty("asked for \(count) chunks") }
        var rng = SeededGenerator(seed: seed).derived(family == .pickAndPlace ? "robot-arm" : "robot-arm \(family.rawValue)")
        let t = stepsPerChunk
        var out: [ActionChunk] = []
        out.reserveCapacity(count)
        while out.count < count {
            let rows = episode(&rng)
            var start = 0
            while start + t <= rows.count, out.count < count {
                out.append(try ActionChunk(rows: Array(rows[start..<start + t])))
                start += t
            }
        }
        return try ChunkSet(chunks: out, dimensionNames: Self.dimensionNames, frequency: frequency)
    }

    /// One episode of the generator's family as rows of 7 actions.
    public func episode(_ rng: inout SeededGenerator) -> [[Double]] {
        family == .pickAndPlace ? pickAndPlaceEpisode(&rng) : wipeEpisode(&rng)
    }

    /// One pick-and-place episode as rows of 7 actions.
    public func pickAndPlaceEpisode(_ rng: inout SeededGenerator) -> [[Double]] {
        let dt = 1 / frequency
        func place() -> SIMD3<Double> {
            SIMD3(rng.nextUniform(0.30, 0.65), rng.nextUniform(-0.30, 0.30), rng.nextUniform(0.01, 0.06))
        }
        let home = SIMD3<Double>(0.40, rng.nextUniform(-0.05, 0.05), 0.30)
        let object = place(), target = place()
        let objectYaw = rng.nextUniform(-1.2, 1.2), targetYaw = objectYaw + rng.nextUniform(-0.6, 0.6)
        let hover = SIMD3<Double>(0, 0, rng.nextUniform(0.08, 0.16))
        // Waypoints: position, yaw, gripper command at arrival, dwell seconds after arrival.
        let plan: [(SIMD3<Double>, Double, Double, Double)] = [
            (object + hover, objectYaw, 1, 0.1),
            (object, objectYaw, 1, 0.0),
            (object, objectYaw, 0, rng.nextUniform(0.3, 0.6)),   // close the gripper
            (object + hover * 1.3, objectYaw, 0, 0.0),
            (target + hover, targetYaw, 0, 0.1),
            (target, targetYaw, 0, 0.0),
            (target, targetYaw, 1, rng.nextUniform(0.3, 0.6)),   // open the gripper
            (target + hover, targetYaw, 1, 0.0),
        ]
        var rows: [[Double]] = []
        var pos = home, yaw = 0.0, grip = 1.0
        var drift = SIMD3<Double>(0, 0, 0)      // teleoperation noise: a random walk on velocity
        let noiseStep = noise * speed * dt.squareRoot()
        var prevVel = SIMD3<Double>(0, 0, 0)
        for (goal, goalYaw, goalGrip, dwell) in plan {
            let distance = ((goal - pos) * (goal - pos)).sum().squareRoot()
            let segSpeed = speed * rng.nextUniform(0.7, 1.3)
            let duration = max(0.4, distance / segSpeed * 1.875) + dwell   // 1.875: min-jerk peak/mean speed
            let moveTime = duration - dwell
            let n = max(1, Int((duration * frequency).rounded()))
            let start = pos, startYaw = yaw, startGrip = grip
            for k in 1...n {
                let time = Double(k) * dt
                let s = minimumJerk(min(1, time / moveTime))
                let g = minimumJerk(min(1, time / min(0.3, duration)))
                let newPos = start + (goal - start) * s
                let newYaw = startYaw + (goalYaw - startYaw) * s
                let newGrip = startGrip + (goalGrip - startGrip) * g
                drift = drift * 0.95 + SIMD3(rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()) * noiseStep
                var delta = newPos - pos + drift * dt
                if moveTime <= 0 || time > moveTime { delta = drift * dt * 0.2 }
                let vel = delta / dt
                let acc = (vel - prevVel) / dt
                prevVel = vel
                // The wrist tilts slightly with the acceleration (a compliant grasp lags the motion).
                let droll = (-0.02 * acc.y + 0.002 * rng.nextGaussian()) * dt
                let dpitch = (0.02 * acc.x + 0.002 * rng.nextGaussian()) * dt
                let dyaw = newYaw - yaw + 0.002 * rng.nextGaussian() * dt
                rows.append([delta.x, delta.y, delta.z, droll, dpitch, dyaw, newGrip])
                pos = newPos; yaw = newYaw; grip = newGrip
            }
        }
        return rows
    }

    /// The minimum-jerk position profile s(u) = 10u^3 - 15u^4 + 6u^5 on [0, 1].
    @inline(__always) func minimumJerk(_ u: Double) -> Double {
        let u = max(0, min(1, u))
        return u * u * u * (10 + u * (-15 + 6 * u))
    }
}
