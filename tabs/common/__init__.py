"""What every tab shares: the context a tab is built with, the image and layer pickers, error
translation (``user_errors``), one streaming/cancel helper for long jobs, download files,
languages, and rendering numpy results into images and matplotlib figures (``render/``).

May import ``core``; never a tab module and never the shell ``lab``.
"""
