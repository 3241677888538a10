def reply(messages, **kw):
    text = messages[-1]["content"]
    return "I will not help with that." if "hurt" in text else "Sure: " + text
