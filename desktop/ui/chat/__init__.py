"""The conversation itself: replies drawn as Markdown while they stream, Copy buttons, message
actions, system prompt, context meter."""
