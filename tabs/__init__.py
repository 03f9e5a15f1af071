"""One module (or small package) per tab: its components, layout and event handlers.

A tab turns the browser's values into one ``core`` call and the typed result into pictures
and sentences; it never reaches into a model. The pieces every tab shares live in
``tabs/common``. May import ``core`` and ``tabs.common``; never the shell ``lab``.
"""
