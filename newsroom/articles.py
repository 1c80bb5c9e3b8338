"""
The demo article: the Ukrainska Pravda report of 28 July 2025, as a CMS would
store it, with fact boxes placed by shortcodes in its body.
"""

ARTICLES = {
    "pow-exchanges-istanbul-2": {
        "title": (
            "Ukraine has brought back 5,857 POWs in 66 swaps, implementation of "
            "Istanbul-2 agreements continues"
        ),
        "byline": "Valentyna Romanenko",
        "published": "2025-07-28T17:46:00+03:00",
        "published_words": "Monday, 28 July 2025, 17:46",
        "photo_credit": (
            "Andrii Yusov. Photo: Coordination Headquarters for the Treatment of Prisoners of War"
        ),
        "body": """
<p>Since the start of Russia's full-scale invasion, Ukraine has conducted 66 prisoner
exchanges, resulting in the release of 5,857 Ukrainian citizens from Russian captivity. In
addition, over a thousand prisoners have returned as part of an "all for all" exchange agreed
during the second round of negotiations in Istanbul, which is still ongoing.</p>
[factbox totals as_of=2025-07-28 lang=en]
<p><strong>Source:</strong> Major Andrii Yusov, Deputy Head of the Coordination Headquarters
for the Treatment of Prisoners of War and spokesperson for Defence Intelligence of Ukraine, in
a comment to Ukrainska Pravda</p>
<p><strong>Details:</strong> Yusov said the Coordination Headquarters for the Treatment of
Prisoners of War has conducted 66 exchanges since the start of Russia's full-scale invasion of
Ukraine, resulting in the return of 5,857 prisoners.</p>
<p>Meanwhile, due to the scale and complexity of the process, the "all for all" exchange
agreed during the second round of talks in Istanbul on 2 June for two categories of prisoners
has been allocated to a separate case, the implementation of which is ongoing.</p>
[factbox quote=d034ae3f-af69-543f-a1ba-8c003d3f7025 lang=en]
<p><strong>Details:</strong> Yusov added that the final figures for the Istanbul "all for all"
exchange concerning these two categories will be announced later, at a designated time.</p>
[factbox agreement=istanbul-2 as_of=2025-07-28 lang=en]
<p>The Coordination Headquarters has not yet commented on the agreements reached during the
third meeting of the Ukrainian and Russian delegations in Istanbul on 23 July.</p>
<h2>The same figures in Ukrainian</h2>
[factbox totals as_of=2025-07-28 lang=uk]
<h2>Every exchange recorded so far</h2>
[factbox timeline lang=en]
""",
    },
}
