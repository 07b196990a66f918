import CorgiReview
import Testing

@Suite("Review steps: the next step follows from what is recorded")
struct ReviewStepTests {
    static func state(_ status: ScanStatus, check: Int? = nil, review: Bool = false, summary: Bool = false) -> ScanState {
        ScanState(scanID: 1, pullRequestID: 1, status: status, checkRunID: check, reviewPosted: review, summaryPosted: summary, summaryCommentID: nil)
    }

    @Test("table of states and steps", arguments: [
        (state(.running), false, ReviewStep.checkHead),
        (state(.running), true, .startCheck),
        (state(.running, check: 9), false, .checkHead),
        (state(.running, check: 9), true, .scan),
        // A recorded scan is published as recorded: its head is not checked again.
        (state(.scanned, check: 9), false, .postReview),
        (state(.scanned), false, .startCheck),
        (state(.scanned, check: 9, review: true), false, .postSummary),
        (state(.scanned, check: 9, review: true, summary: true), false, .complete),
        (state(.published), false, .finished),
        (state(.published, check: 9, review: true, summary: true), true, .finished),
    ])
    func next(_ state: ScanState, _ headChecked: Bool, _ expected: ReviewStep) {
        #expect(ReviewStep.next(state, headChecked: headChecked) == expected)
    }

    @Test("from a fresh scan, recording each step's result walks every step once, in order")
    func walk() {
        var state = Self.state(.running)
        var headChecked = false
        var steps: [ReviewStep] = []
        while true {
            let step = ReviewStep.next(state, headChecked: headChecked)
            steps.append(step)
            switch step {
            case .checkHead: headChecked = true
            case .startCheck: state.checkRunID = 1
            case .scan: state.status = .scanned
            case .postReview: state.reviewPosted = true
            case .postSummary: state.summaryPosted = true
            case .complete: state.status = .published
            case .finished: break
            }
            if step == .finished { break }
        }
        #expect(steps == [.checkHead, .startCheck, .scan, .postReview, .postSummary, .complete, .finished])
        #expect(Set(steps) == Set(ReviewStep.allCases))
    }
}
