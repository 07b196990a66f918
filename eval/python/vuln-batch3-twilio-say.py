# corgi-expect: python-twiml-injection
from twilio.rest import Client

client = Client()


def call_with_reminder(number: str, reminder: str) -> None:
    client.calls.create(
        to=number,
        from_="+15550100",
        twiml=f"<Response><Say voice='alice'>{reminder}</Say></Response>",
    )
