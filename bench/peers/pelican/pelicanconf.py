# Minimal Pelican settings for the Pressroom benchmark (bench/run.py).
# Output: one page per release at news/YYYY/<slug>/, an index paginated by 10,
# one paginated page per tag at tags/<slug>/, a tag list, one RSS feed of 20 items.
# Everything else Pelican would make (categories, authors, archives, other feeds)
# is switched off so the work matches the other tools.
SITENAME = "Bench Newsroom"
SITEURL = "https://bench.example"
FEED_DOMAIN = SITEURL
TIMEZONE = "Europe/Oslo"
DEFAULT_LANG = "en"
THEME = "theme"  # relative to this file
THEME_STATIC_DIR = "theme"
STATIC_PATHS = ["assets"]
ARTICLE_PATHS = ["news"]
PAGE_PATHS = []

ARTICLE_URL = "news/{date:%Y}/{slug}/"
ARTICLE_SAVE_AS = "news/{date:%Y}/{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
DIRECT_TEMPLATES = ["index", "tags"]
DEFAULT_PAGINATION = 10
PAGINATED_TEMPLATES = {"index": None, "tag": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Off: everything the other tools do not make.
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
PAGE_SAVE_AS = ""
DRAFT_SAVE_AS = ""
ARTICLE_LANG_SAVE_AS = ""
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "news"

# One RSS feed of the 20 newest releases with their summaries.
FEED_ALL_RSS = "feed.xml"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
FEED_MAX_ITEMS = 20
RSS_FEED_SUMMARY_ONLY = True

# Cold builds: no content cache.
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
DELETE_OUTPUT_DIRECTORY = False  # bench/run.py empties the output itself, untimed
