"""LateAnswers on its own, on a clock the test moves."""

from loglines.outputs.delivery.late_answers import LateAnswers


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_spell_of_late_answers_halves_the_requests_in_flight_once():
    clock = Clock()
    late = LateAnswers(5, 10, concurrency=8, now=clock)
    for _ in range(8):  # the answers of requests sent together come late together
        late.answered(8)
    assert late.allowed == 4 and late.holding_back and late.slowest == 8
    clock.now += 8
    late.answered(8)  # a later request late as well
    assert late.allowed == 2
    clock.now += 8
    late.timed_out()
    clock.now += 10
    late.timed_out()
    assert late.allowed == 1 and late.slowest == 10  # never below one


def test_answers_on_time_give_back_one_request_each():
    late = LateAnswers(5, 10, concurrency=4, now=Clock())
    late.answered(7)
    assert late.allowed == 2
    late.answered(0.1)
    assert late.allowed == 3
    late.answered(0.1)
    late.answered(0.1)
    assert late.allowed == 4 and not late.holding_back


def test_a_request_is_given_up_only_at_the_ceiling():
    assert LateAnswers(5, 10).read_timeout == 10
    assert LateAnswers(5, 2).read_timeout == 5  # a ceiling below timeout is timeout
