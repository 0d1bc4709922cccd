"""The fake X API, driven through the real tweepy client built by `make_x_client`."""

from __future__ import annotations

import time

import httpx
import pytest
import requests
import tweepy

from bot.adapters.publishers.x_client import make_x_client, upload_media
from sandbox import FakeX, ServerThread


def test_create_post_returns_its_id_and_is_recorded(x_client: tweepy.Client, fake_x: FakeX) -> None:
    response = x_client.create_tweet(text="عاجل: خبر من صنعاء")
    tweet_id = response.data["id"]
    assert response.data["text"] == "عاجل: خبر من صنعاء"
    assert tweet_id.isdigit()
    assert [t["id"] for t in fake_x.tweets] == [tweet_id]
    assert fake_x.consumer_keys == {"consumer-key"}
    call = fake_x.wait_for("POST /2/tweets")
    assert (call.status, call.params["text"]) == (201, "عاجل: خبر من صنعاء")


def test_delete_removes_the_post(x_client: tweepy.Client, fake_x: FakeX) -> None:
    tweet_id = x_client.create_tweet(text="to delete").data["id"]
    assert x_client.delete_tweet(tweet_id).data == {"deleted": True}
    assert fake_x.tweets == []
    assert fake_x.deleted == [tweet_id]
    with pytest.raises(tweepy.NotFound):
        x_client.delete_tweet(tweet_id)


def test_me_names_the_configured_account(x_client: tweepy.Client) -> None:
    me = x_client.get_me(user_auth=True).data
    assert me.username == "YemenNewsX"


def test_requests_without_oauth_are_unauthorized(x_server: ServerThread) -> None:
    response = httpx.post(f"{x_server.url}/2/tweets", json={"text": "x"}, timeout=5)
    assert response.status_code == 401
    assert response.json() == {
        "title": "Unauthorized",
        "type": "about:blank",
        "status": 401,
        "detail": "Unauthorized",
    }
    keyless = make_x_client(x_server.url, "", "", "", "")
    with pytest.raises(tweepy.Unauthorized):
        keyless.create_tweet(text="x")


def test_unknown_routes_are_not_found(x_client: tweepy.Client, x_server: ServerThread) -> None:
    response = httpx.get(f"{x_server.url}/2/nothing", timeout=5)
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == 34


def test_text_over_280_weighted_characters_is_a_bad_request(
    x_client: tweepy.Client, fake_x: FakeX
) -> None:
    x_client.create_tweet(text="a" * 280)
    with pytest.raises(tweepy.BadRequest, match="too long") as raised:
        x_client.create_tweet(text="b" * 400)
    assert len(fake_x.tweets) == 1
    assert raised.value.response.headers["x-rate-limit-remaining"].isdigit()


def test_duplicate_of_a_live_post_is_forbidden(x_client: tweepy.Client, fake_x: FakeX) -> None:
    first = x_client.create_tweet(text="same words").data["id"]
    with pytest.raises(tweepy.Forbidden, match="duplicate content"):
        x_client.create_tweet(text="same words")
    x_client.delete_tweet(first)
    x_client.create_tweet(text="same words")


def test_rate_limit_headers_are_on_every_answer(x_client: tweepy.Client) -> None:
    x_client.return_type = requests.Response
    response = x_client.create_tweet(text="headers")
    assert int(response.headers["x-rate-limit-limit"]) > 0
    assert int(response.headers["x-rate-limit-reset"]) > time.time()
    assert response.headers["x-rate-limit-remaining"].isdigit()
    assert response.headers["x-user-limit-24hour-remaining"].isdigit()
    me = x_client.get_me(user_auth=True)
    assert "x-rate-limit-remaining" in me.headers


def test_window_limit_answers_429_with_reset_time(x_client: tweepy.Client, fake_x: FakeX) -> None:
    fake_x.limits(window_limit=2, window_seconds=900)
    x_client.create_tweet(text="1")
    x_client.create_tweet(text="2")
    with pytest.raises(tweepy.TooManyRequests) as raised:
        x_client.create_tweet(text="3")
    reset = raised.value.reset_time
    assert reset is not None
    assert 890 <= reset - time.time() <= 901
    assert raised.value.response.headers["x-rate-limit-remaining"] == "0"
    with pytest.raises(tweepy.TooManyRequests):
        x_client.create_tweet(text="3 again")
    assert (fake_x.count_429, fake_x.early_retries) == (2, 1)


def test_daily_cap_answers_429_with_user_limit_headers(
    x_client: tweepy.Client, fake_x: FakeX
) -> None:
    fake_x.limits(daily_limit=1)
    x_client.create_tweet(text="only one today")
    with pytest.raises(tweepy.TooManyRequests) as raised:
        x_client.create_tweet(text="second")
    headers = raised.value.response.headers
    assert headers["x-user-limit-24hour-remaining"] == "0"
    assert int(headers["x-user-limit-24hour-reset"]) > time.time() + 86_000


def test_media_upload_then_post_with_it(x_client: tweepy.Client, fake_x: FakeX) -> None:
    media_id = upload_media(x_client, b"\xff\xd8\xff fake jpeg", "image/jpeg")
    assert fake_x.media[media_id]["mime"] == "image/jpeg"
    assert fake_x.media[media_id]["size"] == len(b"\xff\xd8\xff fake jpeg")
    x_client.create_tweet(text="مع صورة", media_ids=[media_id])
    assert fake_x.tweets[0]["media_ids"] == [media_id]
    with pytest.raises(tweepy.BadRequest, match="media IDs are invalid"):
        x_client.create_tweet(text="bad media", media_ids=["123"])


def test_media_upload_errors_are_tweepy_errors(x_server: ServerThread, fake_x: FakeX) -> None:
    keyless = make_x_client(x_server.url, "", "", "", "")
    with pytest.raises(tweepy.Unauthorized):
        upload_media(keyless, b"x", "image/png")
    client = make_x_client(x_server.url, "k", "s", "t", "ts")
    fake_x.fault("flood", endpoint="POST /2/media/upload", reset_after=30)
    with pytest.raises(tweepy.TooManyRequests) as raised:
        upload_media(client, b"x", "image/png")
    assert raised.value.reset_time is not None


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("server_error", tweepy.TwitterServerError),
        ("forbidden", tweepy.Forbidden),
        ("unauthorized", tweepy.Unauthorized),
        ("flood", tweepy.TooManyRequests),
    ],
)
def test_faults_raise_the_matching_tweepy_error_once(
    x_client: tweepy.Client, fake_x: FakeX, kind: str, error: type[Exception]
) -> None:
    fault = fake_x.fault(kind, endpoint="POST /2/tweets")  # type: ignore[arg-type]
    with pytest.raises(error):
        x_client.create_tweet(text="x")
    assert fault.hits == 1
    x_client.create_tweet(text="x")
    assert len(fake_x.tweets) == 1


def test_timeout_fault_times_out_but_the_post_still_lands(
    x_server: ServerThread, fake_x: FakeX
) -> None:
    client = make_x_client(x_server.url, "k", "s", "t", "ts", timeout=0.2)
    fake_x.fault("timeout", delay=0.6)
    with pytest.raises(requests.exceptions.Timeout):
        client.create_tweet(text="ambiguous")
    fake_x.wait_for(lambda call: call.status == 201, timeout=3)
    assert [t["text"] for t in fake_x.tweets] == ["ambiguous"]


def test_reset_forgets_posts_and_calls(x_client: tweepy.Client, fake_x: FakeX) -> None:
    x_client.create_tweet(text="x")
    fake_x.reset()
    assert (fake_x.tweets, fake_x.calls, fake_x.deleted) == ([], [], [])
    x_client.create_tweet(text="x")
