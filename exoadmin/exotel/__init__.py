"""The Exotel client: the only code that knows Exotel's URLs, auth and envelopes.

Build one client per account and process (it pools connections) and pass it as the first
argument of the module functions::

    from exoadmin.exotel import calls, contacts, devices, integrations, users
    from exoadmin.exotel.client import ExotelClient
    from exoadmin.exotel.config import REGION_BASE_URLS, ExotelConfig
    from exoadmin.exotel.ratelimit import RateBudget

    config = ExotelConfig(account_sid=..., api_key=..., api_token=..., **REGION_BASE_URLS["mumbai"])
    budget = RateBudget(redis_client)                  # shared with every process through Redis
    client = ExotelClient(config, budget=budget)       # priority="interactive", for clicks
    bulk = ExotelClient(config, budget=budget, priority="bulk")   # for Celery jobs
    ExotelClient(config, budget=budget, priority="bulk", budget_wait=1.0)  # give up soon, not queue

Public API (every function's docstring names its seed):

    users.list_users(client, *, offset=0, limit=50, emails=()) -> UsersPage
    users.users_by_email(client, emails) -> list[User]         # ≤50 emails, one request
    users.iter_all_users(client, *, page_size=50) -> Iterator[User]
    users.get_user(client, user_id) -> User
    devices.set_device_available(client, *, user_id, device_id, available) -> Device
    integrations.get_devices(client, user_id) -> IntegrationDevices
    integrations.set_devices(client, user_id, *, phone=None, sip=None) -> IntegrationDevices
    calls.launch_v3(client, *, from_contact_uri, to_contact_uri, virtual_number,
                    state_management=None, recording=RecordingOptions(...), wait_audio_url=None,
                    max_time_limit=None, attempt_time_out=None, custom_field=None,
                    status_callbacks=[StatusCallback(...)], playback=[Playback(...)],
                    streaming=Streaming(...)) -> CallDetails
    calls.launch_v2(client, *, number, virtual_number, user_contact_uri=None | user_id=None,
                    recording=None, recording_channels=None, wait_audio_url=None,
                    max_time_limit=None, attempt_time_out=None, custom_field=None,
                    status_callbacks=()) -> LaunchedCall
    calls.get_call_details(client, call_sid) -> CallDetails
    calls.get_call_legs(client, call_sid) -> CallLegs
    recordings.open_recording(client, url, *, refusal) -> Recording   # refusal(url) -> "" or why not
    contacts.bulk_update(client, contacts) -> BulkResult       # ≤5000, each {"sid", ...fields}
    contacts.create(client, contacts) -> BulkResult            # ≤5000
    contacts.list_page(client, *, offset=0, limit=20) -> ContactsPage
    contacts.get(client, sid) -> Contact
    contacts.update_one(client, sid, **fields) -> Contact
    contacts.delete(client, sid) -> str (request_id)
    RateBudget.acquire(account_sid, priority, max_wait) / RateBudget.usage(account_sid)

Results are frozen dataclasses (`models.py`) that keep Exotel's `request_id`; times are aware
datetimes, and Exotel's "not ended" epoch is None. Failures raise `errors.ExotelError`
subclasses carrying `user_message` (what a supervisor understands and what to do),
`http_status`, `code`, `request_id`, `retryable` and `permanent`:

    ConnectionFailed (nothing sent) · UnknownOutcome (sent, no answer: check before repeating)
    AuthenticationFailed 401 · Forbidden 402/403 · NotFound 404 · Conflict 409
    InvalidRequest 400/405/415/422 · RateLimited 429 (.retry_after) · ServerError 5xx

GET and PUT are retried on 429/5xx/network failures (`transport.RetryPolicy`); POST and DELETE
are sent once. Argument errors (too many contacts, limit out of range, a call without a sid)
raise ValueError before anything is sent.
"""

__version__ = "0.1.0"
