@testable import FlowLearnCore
import Foundation
import Testing

@Suite("Nudge planning: time zones, daylight saving, quiet hours, weekends, holidays")
struct NudgePlannerTests {
    static let nuggets = (0..<6).map { Nugget(id: "n\($0)", title: "Nugget \($0)", topic: $0 < 3 ? "security" : "meetings") }
    static let question = QuizQuestion(
        id: "q1", nuggetID: "n0", topic: "security", kind: .trueFalse, prompt: "?", choices: ["True", "False"], answers: [0], explanation: ".")
    let planner = NudgePlanner(nuggets: NudgePlannerTests.nuggets, questions: [NudgePlannerTests.question])

    static func utc(_ text: String) -> Date { FSRSHistory.parse(text)! }

    func subscriber(_ user: String, zone: String, time: String = "09:30") -> NudgeSubscription {
        NudgeSubscription(learner: Learner(platform: "slack", team: "T1", user: user), channel: user, time: LocalTime(time)!, timeZone: zone)
    }

    /// Plans every minute from `start` for `days`, keeping the first nudge per key (as the outbox does).
    func simulate(_ subscriptions: [NudgeSubscription], from start: Date, days: Int) -> [PlannedNudge] {
        var byKey: [String: PlannedNudge] = [:]
        var perRecipientDay = Set<String>()
        for minute in 0..<(days * 24 * 60) {
            let now = start.addingTimeInterval(Double(minute) * 60)
            for nudge in planner.plan(subscriptions, histories: [:], at: now)
            where byKey[nudge.key] == nil && perRecipientDay.insert("\(nudge.recipient)|\(nudge.localDate)").inserted {
                byKey[nudge.key] = nudge
            }
        }
        return byKey.values.sorted { $0.dueAt < $1.dueAt }
    }

    @Test func newYorkAndTokyoGetOneNudgeAtTheir0930OnWorkingDaysOnly() {
        // Monday 2026-11-30 00:00 UTC through Sunday 2026-12-06.
        let week = simulate(
            [subscriber("ny", zone: "America/New_York"), subscriber("tokyo", zone: "Asia/Tokyo")], from: Self.utc("2026-11-29T00:00:00Z"),
            days: 8)
        let ny = week.filter { $0.recipient.hasSuffix(":ny") }
        let tokyo = week.filter { $0.recipient.hasSuffix(":tokyo") }
        #expect(ny.map(\.localDate) == ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"])
        #expect(tokyo.map(\.localDate) == ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"])
        // 09:30 EST is 14:30 UTC; 09:30 JST is 00:30 UTC the same day.
        #expect(ny.map { FSRSHistory.format($0.dueAt) }.allSatisfy { $0.hasSuffix("T14:30:00Z") })
        #expect(tokyo.map { FSRSHistory.format($0.dueAt) }.allSatisfy { $0.hasSuffix("T00:30:00Z") })
        #expect(FSRSHistory.format(tokyo[0].dueAt) == "2026-11-30T00:30:00Z")
    }

    @Test func aSundayToThursdayOfficeGetsItsNudgesOnItsOwnWorkingDays() {
        var rules = NudgeRules()
        rules.workingDays = ["sun", "mon", "tue", "wed", "thu"].compactMap(Weekday.init(name:))
        let planner = NudgePlanner(nuggets: Self.nuggets, questions: [Self.question], rules: rules)
        let dubai = subscriber("dubai", zone: "Asia/Dubai")
        var days: [String] = []
        // Sunday 2026-11-29 through Saturday 2026-12-05, local time, planned every minute.
        for minute in stride(from: 0, to: 7 * 24 * 60, by: 1) {
            let now = Self.utc("2026-11-28T20:00:00Z").addingTimeInterval(Double(minute) * 60)
            for nudge in planner.plan([dubai], histories: [:], at: now) where !days.contains(nudge.localDate) { days.append(nudge.localDate) }
        }
        #expect(days == ["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"], "Sunday to Thursday, not Friday or Saturday")
    }

    @Test func wallClockTimeIsKeptAcrossDaylightSavingChanges() {
        // US clocks go forward on Sunday 2026-03-08 and back on Sunday 2026-11-01.
        let spring = simulate([subscriber("ny", zone: "America/New_York")], from: Self.utc("2026-03-06T00:00:00Z"), days: 4)
        #expect(spring.map { FSRSHistory.format($0.dueAt) } == ["2026-03-06T14:30:00Z", "2026-03-09T13:30:00Z"])
        let autumn = simulate([subscriber("ny", zone: "America/New_York")], from: Self.utc("2026-10-30T00:00:00Z"), days: 4)
        #expect(autumn.map { FSRSHistory.format($0.dueAt) } == ["2026-10-30T13:30:00Z", "2026-11-02T14:30:00Z"])
        // Europe changes a week earlier: 09:30 in Amsterdam is 07:30 UTC in summer, 08:30 in winter.
        let europe = simulate([subscriber("ams", zone: "Europe/Amsterdam")], from: Self.utc("2026-10-23T00:00:00Z"), days: 4)
        #expect(europe.map { FSRSHistory.format($0.dueAt) } == ["2026-10-23T07:30:00Z", "2026-10-26T08:30:00Z"])
    }

    @Test func quietHoursAreNeverUsed() {
        let rules = NudgeRules()
        #expect(rules.isQuiet(LocalTime("19:00")!) && rules.isQuiet(LocalTime("23:59")!) && rules.isQuiet(LocalTime("07:59")!))
        #expect(!rules.isQuiet(LocalTime("08:00")!) && !rules.isQuiet(LocalTime("18:59")!))
        let night = simulate([subscriber("owl", zone: "Europe/Berlin", time: "22:00")], from: Self.utc("2026-11-30T00:00:00Z"), days: 3)
        #expect(night.isEmpty)
    }

    @Test func holidaysFollowEachPersonsLocalDate() {
        var rules = NudgeRules()
        rules.holidays = ["12-25", "2026-12-24"]
        let planner = NudgePlanner(nuggets: Self.nuggets, questions: [Self.question], rules: rules)
        // 08:30 in Tokyo is 23:30 UTC the day before: its holiday is Tokyo's 24th, not UTC's.
        let subscribers = [
            subscriber("ny", zone: "America/New_York"), subscriber("tokyo", zone: "Asia/Tokyo"), subscriber("early", zone: "Asia/Tokyo", time: "08:30"),
        ]
        var dates: [String: [String]] = [:]
        var seen = Set<String>()
        // Monday 2026-12-21 through Monday 2026-12-28 (24 and 25 December are Thursday and Friday).
        for minute in stride(from: 0, to: 8 * 24 * 60, by: 5) {
            for nudge in planner.plan(subscribers, histories: [:], at: Self.utc("2026-12-21T00:00:00Z").addingTimeInterval(Double(minute) * 60))
            where seen.insert(nudge.key).inserted {
                dates[String(nudge.recipient.split(separator: ":").last!), default: []].append(nudge.localDate)
            }
        }
        #expect(dates["ny"] == ["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-28"])
        #expect(dates["tokyo"] == ["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-28"])
        #expect(dates["early"] == ["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-28", "2026-12-29"])  // its 29th begins inside the window
        // A yearly entry holds in any year; a dated one only in its own.
        #expect(rules.isHoliday("2031-12-25") && rules.isHoliday("2026-12-24") && !rules.isHoliday("2027-12-24"))
        // A zone's own holiday (US Thanksgiving 2026 is Thursday 26 November) keeps New York quiet, not Tokyo.
        var office = NudgeRules()
        office.holidays = ["America/New_York 2026-11-26"]
        let offices = NudgePlanner(nuggets: Self.nuggets, questions: [Self.question], rules: office)
        #expect(offices.plan([subscriber("ny", zone: "America/New_York")], histories: [:], at: Self.utc("2026-11-26T14:31:00Z")).isEmpty)
        #expect(offices.plan([subscriber("tokyo", zone: "Asia/Tokyo")], histories: [:], at: Self.utc("2026-11-26T00:31:00Z")).count == 1)
        #expect(offices.plan([subscriber("ny", zone: "America/New_York")], histories: [:], at: Self.utc("2026-11-27T14:31:00Z")).count == 1)
        // Channel nudges keep them too, even on a channel that posts every day.
        let channel = ChannelNudge(channel: "C1", time: LocalTime("10:00")!, timeZone: "Europe/Berlin", weekdays: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
        #expect(planner.plan([channel], seen: [:], at: Self.utc("2026-12-25T09:00:00Z")).isEmpty)
        #expect(planner.plan([channel], seen: [:], at: Self.utc("2026-12-26T09:00:00Z")).count == 1)
    }

    @Test(arguments: [
        ("2026-12-25", true), ("12-25", true), ("02-29", true), ("2024-02-29", true), ("2026-02-29", false), ("2026-13-01", false),
        ("12-32", false), ("2026-12-5", false), ("christmas", false), ("", false), ("12/25", false), ("2026-12-25-01", false),
        ("Europe/Amsterdam 04-27", true), ("America/New_York 2026-11-26", true), ("UTC 01-01", true), ("Mars/Olympus 04-27", false),
        ("Europe/Amsterdam 04-31", false), ("Europe/Amsterdam  04-27", false), ("04-27 Europe/Amsterdam", false),
    ])
    func holidayEntriesAreCalendarDates(_ entry: String, _ valid: Bool) {
        #expect(NudgeRules.isHolidayEntry(entry) == valid)
    }

    @Test func aNudgeMissedByMoreThanTwoHoursIsSkipped() {
        let sub = subscriber("late", zone: "UTC")
        #expect(planner.plan([sub], histories: [:], at: Self.utc("2026-12-01T09:29:59Z")).isEmpty, "not before its time")
        #expect(planner.plan([sub], histories: [:], at: Self.utc("2026-12-01T09:30:00Z")).count == 1)
        #expect(planner.plan([sub], histories: [:], at: Self.utc("2026-12-01T11:30:00Z")).count == 1, "two hours late is still fine")
        #expect(planner.plan([sub], histories: [:], at: Self.utc("2026-12-01T11:30:01Z")).isEmpty, "later is skipped, not sent late")
    }

    @Test func pausedAndDisabledSubscriptionsGetNothingUntilResumed() {
        var paused = subscriber("p", zone: "UTC")
        paused.pausedUntil = Self.utc("2026-12-03T00:00:00Z")
        let nudges = simulate([paused], from: Self.utc("2026-11-30T00:00:00Z"), days: 5)
        #expect(nudges.map(\.localDate) == ["2026-12-03", "2026-12-04"])
        var off = subscriber("o", zone: "UTC")
        off.enabled = false
        #expect(simulate([off], from: Self.utc("2026-11-30T00:00:00Z"), days: 2).isEmpty)
    }

    @Test func contentIsADueQuestionElseUnseenNuggetsNeverRepeatedUntilAllSeen() {
        let at = Self.utc("2026-12-01T09:45:00Z")
        var sub = subscriber("c", zone: "UTC")
        sub.topics = ["security"]
        let due = planner.plan([sub], histories: [sub.learner.key: LearnerHistory(dueQuestions: ["q1"])], at: at)
        #expect(due.first?.content == .question(id: "q1"))
        // Day after day, the three security nuggets, each once, then the one seen longest ago.
        var seen: [String: Date] = [:]
        var order: [String] = []
        for day in 0..<4 {
            let now = at.addingTimeInterval(Double(day) * 86_400)
            let nudge = planner.plan([sub], histories: [sub.learner.key: LearnerHistory(seenNuggets: seen)], at: now)
            guard case .nugget(let id)? = nudge.first?.content else {
                Issue.record("expected a nugget")
                return
            }
            order.append(id)
            seen[id] = now
        }
        #expect(Set(order.prefix(3)) == ["n0", "n1", "n2"])
        #expect(order[3] == order[0])
        // Without topics: the topics the person asked about come first.
        let asked = planner.plan(
            [subscriber("d", zone: "UTC")], histories: ["slack:T1:d": LearnerHistory(askedTopics: ["meetings"])], at: at)
        guard case .nugget(let id)? = asked.first?.content else {
            Issue.record("expected a nugget")
            return
        }
        #expect(["n3", "n4", "n5"].contains(id))
    }

    @Test func channelNuggetOfTheDayFollowsItsWeekdays() {
        let channel = ChannelNudge(channel: "C1", time: LocalTime("10:00")!, timeZone: "Europe/Amsterdam", weekdays: ["mon", "wed"])
        var dates: [String] = []
        for hour in 0..<(7 * 24) {
            let now = Self.utc("2026-11-30T00:00:00Z").addingTimeInterval(Double(hour) * 3600)
            dates += planner.plan([channel], seen: [:], at: now).map(\.localDate)
        }
        #expect(Array(Set(dates)).sorted() == ["2026-11-30", "2026-12-02"])
    }

    @Test func subscriptionCommandsParseTimesTopicsAndDurations() {
        #expect(LocalTime("9:30") == LocalTime(hour: 9, minute: 30))
        #expect(LocalTime("24:00") == nil && LocalTime("9.30") == nil && LocalTime("09:3") == nil)
        #expect(NudgeDesk.duration("2w") == 14 * 86_400 && NudgeDesk.duration("3d") == 3 * 86_400 && NudgeDesk.duration("soon") == nil)
        #expect(NudgeDesk.handles("nudges on 09:30") && !NudgeDesk.handles("how do nudges work"))
        #expect(NudgeDesk.timeZone("Europe/Berlin") == "Europe/Berlin" && NudgeDesk.timeZone("america/new_york") == "America/New_York")
        #expect(NudgeDesk.timeZone("utc") == "UTC")
        #expect(NudgeDesk.timeZone("Mars/Olympus") == nil && NudgeDesk.timeZone("security") == nil && NudgeDesk.timeZone("09:30") == nil)
    }
}
