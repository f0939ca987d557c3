#!/usr/bin/env bash
# Extract the texts of the bot into the template, merge them into each language's
# catalogue, and compile the catalogues (the .mo files are committed, so a plain install
# has them). Translate the new entries in bot/locales/<lang>/LC_MESSAGES/messages.po, then
# run this again. A catalogue's folder is named as Babel spells the locale: uz_Cyrl is
# the bot's uz-Cyrl.
#
# A new catalogue takes its Plural-Forms from Babel's table, which for some languages is
# older than CLDR (Tajik: CLDR counts 0 with 1); tests/test_translations.py checks each
# header against CLDR's rule, so correct it there once. Later runs keep it.
set -euo pipefail
cd "$(dirname "$0")/.."
locales=bot/locales
pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
    --project=forum-delegation-bot -o "$locales/messages.pot" bot handlers schedule
for lang in ru uz uz_Cyrl tg kk ky tk; do
    if [ -f "$locales/$lang/LC_MESSAGES/messages.po" ]; then
        pybabel update -i "$locales/messages.pot" -d "$locales" -D messages -l "$lang" \
            --no-fuzzy-matching --ignore-obsolete
    else
        pybabel init -i "$locales/messages.pot" -d "$locales" -D messages -l "$lang"
        # A new catalogue's header is marked fuzzy, and fuzzy catalogues are not compiled.
        sed -i '0,/^#, fuzzy$/{/^#, fuzzy$/d}' "$locales/$lang/LC_MESSAGES/messages.po"
    fi
done
pybabel compile -d "$locales" -D messages --statistics
