from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

client = Client()


def call_with_reminder(number: str, reminder: str) -> None:
    response = VoiceResponse()
    response.say(reminder, voice="alice")
    client.calls.create(to=number, from_="+15550100", twiml=str(response))
