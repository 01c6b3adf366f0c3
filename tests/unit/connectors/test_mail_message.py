"""Reading customer email (:mod:`cxdaily.connectors.mail_message`): a corpus of messages in
the shapes real clients send, each read field by field, then the rules one by one
(charsets, headers, quotes and signatures, automated mail, subjects) and hostile input."""

from __future__ import annotations

import base64
import os
import time
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxdaily.connectors.mail_message import (
    MAX_BODY_CHARS,
    Attachment,
    MailMessage,
    parse_message,
    reply_subject,
    thread_subject,
)
from cxdaily.connectors.mail_quotes import decode_bytes, new_text, unflow
from cxdaily.core.safe_text import clean
from tests.unit.connectors.mail_kit import corpus, corpus_names, crlf, message, texts

# Every corpus message, read: the fields that are not empty (and new_text always). Dates
# are UTC; attachments are (name, size, content type, inline).
EXPECTED = {
    "apple_forward": {
        "message_id": "<B2C3D4E5-F6A7-4B8C-9D0E-1F2A3B4C5D6E@me.com>",
        "subject": "Fwd: Login link expired",
        "from_name": "Lucas Martin",
        "from_address": "lucas.martin@me.com",
        "to": ("support@acme.io",),
        "date": "2026-12-03 15:00:00",
        "body": (
            "The link in this email never works, can you check?\n"
            "\n"
            "Lucas\n"
            "\n"
            "Begin forwarded message:\n"
            "\n"
            "From: Acme <no-reply@acme.io>\n"
            "Subject: Your login link\n"
            "Date: 3 December 2026 at 15:55:00 CET\n"
            "To: lucas.martin@me.com\n"
            "\n"
            "Click here to log in."
        ),
        "new_text": "The link in this email never works, can you check?\n\nLucas",
    },
    "apple_mail_flowed": {
        "message_id": "<5E0B2C4A-1F77-4B0E-9C1D-7A8B9C0D1E2F@icloud.com>",
        "in_reply_to": "<refund-991@acme.io>",
        "references": ("<refund-991@acme.io>",),
        "subject": "Re: Refund request",
        "from_name": "Olivia Chen",
        "from_address": "olivia.chen@icloud.com",
        "to": ("support@acme.io",),
        "date": "2026-12-03 18:02:30",
        "body": (
            "Yes please refund the second payment, the first one "
            "is for this year and the second was a mistake.\n"
            "\n"
            "Sent from my iPhone\n"
            "\n"
            "> On 3 Dec 2026, at 09:15, Acme Support <support@acme.io> wrote:\n"
            ">\n"
            "> Hi Olivia, which payment should we refund?"
        ),
        "new_text": (
            "Yes please refund the second payment, the first one "
            "is for this year and the second was a mistake."
        ),
    },
    "apple_mail_mac_reply": {
        "message_id": "<D4E5F6A7-B8C9-4D0E-9F1A-2B3C4D5E6F7A@mac.com>",
        "subject": "Re: Team seats",
        "from_name": "Hannah Becker",
        "from_address": "hannah.becker@mac.com",
        "to": ("sales@acme.io",),
        "date": "2026-12-03 16:17:17",
        "body": (
            "We need 25 seats, not 20. Can you update the quote?\n"
            "\n"
            "Hannah\n"
            "\n"
            "> On 3 Dec 2026, at 10:02, Jane Doe <jane@acme.io> wrote:\n"
            ">\n"
            "> Here is the quote for 20 seats.\n"
            ">"
        ),
        "new_text": "We need 25 seats, not 20. Can you update the quote?\n\nHannah",
    },
    "apple_mail_related_image": {
        "message_id": "<A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF@williams.family>",
        "subject": "Screenshot of the error",
        "from_name": "Noah Williams",
        "from_address": "noah@williams.family",
        "to": ("support@acme.io",),
        "date": "2026-12-03 19:20:00",
        "body": "Here is what I see when I open the dashboard:\n\n[image: error.png]\n\nNoah",
        "new_text": "Here is what I see when I open the dashboard:\n\n[image: error.png]\n\nNoah",
        "attachments": [("error.png", 68, "image/png", True)],
    },
    "auto_reply_out_of_office": {
        "message_id": "<oof-5521@contoso.com>",
        "in_reply_to": "<ticket-5521@acme.io>",
        "subject": "Automatic reply: Your ticket #5521",
        "from_name": "Helen Zhao",
        "from_address": "helen.zhao@contoso.com",
        "to": ("support@acme.io",),
        "date": "2026-12-03 08:00:01",
        "body": "I am out of the office until 7 December with limited access to email.",
        "new_text": "I am out of the office until 7 December with limited access to email.",
        "automated": "auto-reply",
    },
    "bounce_delivery_status": {
        "message_id": "<20261203101010.8A1B2C3D4E@mx.acme.io>",
        "subject": "Undelivered Mail Returned to Sender",
        "from_address": "mailer-daemon@mx.acme.io",
        "to": ("support@acme.io",),
        "date": "2026-12-03 10:10:10",
        "body": (
            "This is the mail system at host mx.acme.io.\n"
            "\n"
            "I'm sorry to have to inform you that your message could not\n"
            "be delivered to one or more recipients.\n"
            "\n"
            "<nobody@nowhere.example>: host nowhere.example "
            "said: 550 5.1.1 User unknown"
        ),
        "new_text": (
            "This is the mail system at host mx.acme.io.\n"
            "\n"
            "I'm sorry to have to inform you that your message could not\n"
            "be delivered to one or more recipients.\n"
            "\n"
            "<nobody@nowhere.example>: host nowhere.example "
            "said: 550 5.1.1 User unknown"
        ),
        "attachments": [
            ("", 162, "message/delivery-status", False),
            ("", 74, "text/rfc822-headers", False),
        ],
        "automated": "bounce",
    },
    "forward_as_attachment": {
        "message_id": "<fwd-attach-1@firma.cz>",
        "subject": "FW: Suspicious login",
        "from_name": "Olga Novak",
        "from_address": "olga.novak@firma.cz",
        "to": ("support@acme.io",),
        "date": "2026-12-03 13:00:00",
        "body": "Is this email really from you?",
        "new_text": "Is this email really from you?",
        "attachments": [("Suspicious login.eml", 172, "message/rfc822", False)],
    },
    "garbage_headers": {
        "message_id": "no brackets here",
        "references": ("<a@b>", "<c@d>"),
        "subject": "=?utf-8?B?!!!notbase64?= =?utf-8?Q?unterminated",
        "from_name": "Kim Lee",
        "from_address": "kim.lee@example.kr",
        "body": "The headers above are broken but this text should be read.",
        "new_text": "The headers above are broken but this text should be read.",
    },
    "gb2312_chinese": {
        "message_id": "<202612031520001234567@example.cn>",
        "subject": "回复: 发票问题",
        "from_name": "王小强",
        "from_address": "wang.xq@example.cn",
        "to": ("support@acme.io",),
        "date": "2026-12-03 07:20:00",
        "body": "您好，发票抬头写错了，请重新开一张。\n\n发自我的iPhone",
        "new_text": "您好，发票抬头写错了，请重新开一张。",
    },
    "gmail_alternative_reply": {
        "message_id": "<CAF3q9mR+reply=Xy@mail.gmail.com>",
        "in_reply_to": "<CAK1p2x=second@mail.gmail.com>",
        "references": ("<CAJ8n0v=root@mail.gmail.com>", "<CAK1p2x=second@mail.gmail.com>"),
        "subject": "Re: Export fails with error 42",
        "from_name": "Marco Rossi",
        "from_address": "marco.rossi@gmail.com",
        "to": ("jane@acme.io",),
        "date": "2026-12-03 09:02:11",
        "body": (
            "Hi Jane,\n"
            "\n"
            "The export still fails with error 42 since the "
            "update. Could you have a look?\n"
            "\n"
            "Thanks,\n"
            "Marco\n"
            "\n"
            "On Tue, Dec 1, 2026 at 4:15\u202fPM Jane Doe <jane@acme.io> wrote:\n"
            "\n"
            "> Hello Marco,\n"
            "> Please try the export again and tell me what you see.\n"
            ">"
        ),
        "new_text": (
            "Hi Jane,\n"
            "\n"
            "The export still fails with error 42 since the "
            "update. Could you have a look?\n"
            "\n"
            "Thanks,\n"
            "Marco"
        ),
    },
    "gmail_forward": {
        "message_id": "<CAFw+forward@mail.gmail.com>",
        "subject": "Fwd: Payment failed",
        "from_name": "Emma Johansson",
        "from_address": "emma.johansson@gmail.com",
        "to": ("support@acme.io",),
        "date": "2026-12-03 14:00:00",
        "body": (
            "FYI, my card was charged anyway. See below.\n"
            "\n"
            "---------- Forwarded message ---------\n"
            "From: Acme Billing <billing@acme.io>\n"
            "Date: Wed, Dec 2, 2026 at 9:00 AM\n"
            "Subject: Payment failed\n"
            "To: <emma.johansson@gmail.com>\n"
            "\n"
            "Your payment could not be processed."
        ),
        "new_text": "FYI, my card was charged anyway. See below.",
    },
    "gmail_french_base64": {
        "message_id": "<CAD1fr+base64@mail.gmail.com>",
        "subject": "Re: Facture en double",
        "from_name": "Élodie Bernard",
        "from_address": "elodie.bernard@orange.fr",
        "to": ("support@acme.io",),
        "date": "2026-12-03 10:30:00",
        "body": (
            "Bonjour,\n"
            "\n"
            "J'ai été facturée deux fois ce mois-ci (deux prélèvements de 49 €).\n"
            "\n"
            "Merci d'avance,\n"
            "Élodie\n"
            "\n"
            "Le mar. 1 déc. 2026 à 09:12, Support Acme "
            "<support@acme.io> a écrit :\n"
            "\n"
            "> Bonjour Élodie,\n"
            "> Pouvez-vous nous envoyer le numéro de facture ?"
        ),
        "new_text": (
            "Bonjour,\n"
            "\n"
            "J'ai été facturée deux fois ce mois-ci (deux prélèvements de 49 €).\n"
            "\n"
            "Merci d'avance,\n"
            "Élodie"
        ),
    },
    "gmail_german_latin1": {
        "message_id": "<CAB9zz+german@mail.gmail.com>",
        "subject": "Re: Kündigung zum Monatsende",
        "from_name": "Jürgen Müller",
        "from_address": "j.mueller@example.de",
        "to": ("support@acme.io",),
        "date": "2026-12-03 07:15:00",
        "body": (
            "Guten Tag,\n"
            "\n"
            "bitte bestätigen Sie die Kündigung zum Monatsende. "
            "Größe des Teams: 12.\n"
            "\n"
            "Grüße\n"
            "Jürgen\n"
            "\n"
            "Am Di., 1. Dez. 2026 um 14:02 Uhr schrieb Acme "
            "Support <support@acme.io>:\n"
            "\n"
            "> Hallo Herr Müller,\n"
            "> wir haben Ihre Nachricht erhalten."
        ),
        "new_text": (
            "Guten Tag,\n"
            "\n"
            "bitte bestätigen Sie die Kündigung zum Monatsende. "
            "Größe des Teams: 12.\n"
            "\n"
            "Grüße\n"
            "Jürgen"
        ),
    },
    "gmail_html_only_reply": {
        "message_id": "<CAGh+htmlonly@mail.gmail.com>",
        "subject": "Re: Missing invoices",
        "from_name": "Chloé Laurent",
        "from_address": "chloe.laurent@gmail.com",
        "to": ("billing@acme.io",),
        "date": "2026-12-03 11:12:12",
        "body": (
            "Both invoices are attached now.\n"
            "Best,\n"
            "Chloé\n"
            "\n"
            "On Wed, Dec 2, 2026 at 11:20 AM Acme Billing "
            "<billing@acme.io> wrote:\n"
            "\n"
            "> Could you send both invoices?\n"
            "\n"
            "> > Older text"
        ),
        "new_text": "Both invoices are attached now.\nBest,\nChloé",
    },
    "gmail_spanish_iphone": {
        "message_id": "<F2B7A1C0-9D3E-4C55-8A61-2E7F0B1D9C42@gmail.com>",
        "in_reply_to": "<reply-77812@acme.io>",
        "subject": "Re: No puedo iniciar sesión",
        "from_name": "Lucía Fernández",
        "from_address": "lucia.fdez@gmail.com",
        "to": ("soporte@acme.io",),
        "date": "2026-12-03 17:20:44",
        "body": (
            "Hola, sigue sin funcionar. El código de verificación nunca llega.\n"
            "\n"
            "Enviado desde mi iPhone\n"
            "\n"
            "El mar, 1 dic 2026 a las 12:30, Soporte Acme "
            "(<soporte@acme.io>) escribió:\n"
            "\n"
            "> Hola Lucía, ¿puedes probar de nuevo?"
        ),
        "new_text": "Hola, sigue sin funcionar. El código de verificación nunca llega.",
    },
    "gmail_wrapped_attribution": {
        "message_id": "<CAHx7Lm2wrapped@mail.gmail.com>",
        "in_reply_to": "<20261202150112.4411@acme.io>",
        "references": ("<20261202150112.4411@acme.io>",),
        "subject": "Re: Your invoice INV-2026-118",
        "from_name": "Priya Natarajan",
        "from_address": "priya.natarajan.consulting@gmail.com",
        "to": ("billing@acme.io",),
        "date": "2026-12-03 14:41:05",
        "body": (
            "Thanks, but the amount is wrong: we are on the "
            "annual plan, not monthly.\n"
            "\n"
            "Can you send a corrected invoice?\n"
            "\n"
            "Priya\n"
            "\n"
            "On Wed, 2 Dec 2026 at 15:01, Acme Billing Team <billing@acme.io>\n"
            "wrote:\n"
            "\n"
            "> Dear customer,\n"
            ">\n"
            "> Please find attached your invoice INV-2026-118.\n"
            ">\n"
            "> Best regards,\n"
            "> Acme Billing"
        ),
        "new_text": (
            "Thanks, but the amount is wrong: we are on the "
            "annual plan, not monthly.\n"
            "\n"
            "Can you send a corrected invoice?\n"
            "\n"
            "Priya"
        ),
    },
    "hostile_escapes": {
        "message_id": "<hostile-1@example.com>",
        "subject": "Invoice fdp.exe",
        "from_name": "Evil Corp",
        "from_address": "evil@example.com",
        "to": ("support@acme.io",),
        "date": "2026-12-03 10:00:00",
        "body": "Please pay now today.",
        "new_text": "Please pay now today.",
    },
    "inline_reply": {
        "message_id": "<inline-1@hassan-consulting.example>",
        "subject": "Re: A few questions",
        "from_name": "Ahmed Hassan",
        "from_address": "ahmed@hassan-consulting.example",
        "to": ("support@acme.io",),
        "date": "2026-12-03 11:00:00",
        "body": (
            "On Wed, Dec 02, 2026 at 10:00:00AM +0000, Acme Support wrote:\n"
            "> Which browser do you use?\n"
            "\n"
            "Firefox 133.\n"
            "\n"
            "> Did it work before?\n"
            "\n"
            "Yes. My colleague wrote the same report last week "
            "and on Monday it worked\n"
            "again for a few hours."
        ),
        "new_text": (
            "Firefox 133.\n"
            "\n"
            "Yes. My colleague wrote the same report last week "
            "and on Monday it worked\n"
            "again for a few hours."
        ),
    },
    "iphone_german": {
        "message_id": "<C3D4E5F6-A7B8-4C9D-8E0F-1A2B3C4D5E6F@web.de>",
        "subject": "Re: Passwort vergessen",
        "from_name": "Felix Wagner",
        "from_address": "felix.wagner@web.de",
        "to": ("support@acme.io",),
        "date": "2026-12-03 21:10:00",
        "body": (
            "Hat geklappt, danke!\n"
            "\n"
            "Von meinem iPhone gesendet\n"
            "\n"
            "> Am 03.12.2026 um 21:00 schrieb Acme Support <support@acme.io>:\n"
            ">\n"
            "> Bitte versuchen Sie es noch einmal."
        ),
        "new_text": "Hat geklappt, danke!",
    },
    "koi8r_russian": {
        "message_id": "<1234567890@mail.yandex.ru>",
        "subject": "Не работает синхронизация",
        "from_name": "Иван Петров",
        "from_address": "ivan.petrov@yandex.ru",
        "to": ("support@acme.io",),
        "date": "2026-12-03 09:34:56",
        "body": (
            "Здравствуйте!\n\nСинхронизация не работает с понедельника.\n\nОтправлено с iPhone"
        ),
        "new_text": "Здравствуйте!\n\nСинхронизация не работает с понедельника.",
    },
    "latin1_declared_utf8_bytes": {
        "message_id": "<dutch-1@ziggo.nl>",
        "subject": "Re: Vraag over factuur",
        "from_name": "Sanne de Vries",
        "from_address": "sanne@ziggo.nl",
        "to": ("support@acme.io",),
        "date": "2026-12-03 09:45:00",
        "body": (
            "Dank u, maar het bedrag is nog steeds €59 in plaats "
            "van €49. Ook de naam Zoë is fout.\n"
            "\n"
            "Op 02-12-2026 om 16:00 schreef Acme Support:\n"
            "> Wij hebben de factuur aangepast."
        ),
        "new_text": (
            "Dank u, maar het bedrag is nog steeds €59 in plaats van €49. Ook de naam Zoë is fout."
        ),
    },
    "mailing_list": {
        "message_id": "<list-msg-42@lists.example.org>",
        "subject": "[dev-forum] Release 5.0 planning",
        "from_name": "Dev Forum",
        "from_address": "dev-forum@lists.example.org",
        "reply_to": ("dev-forum@lists.example.org",),
        "to": ("dev-forum@lists.example.org",),
        "date": "2026-12-03 11:00:00",
        "body": "Agenda for the 5.0 planning call is in the wiki.",
        "new_text": "Agenda for the 5.0 planning call is in the wiki.",
        "automated": "mailing list",
    },
    "mislabelled_ascii_cp1252": {
        "message_id": "<000101db45aa$1b2c3d40$51667ac0$@murphy-bakery.ie>",
        "subject": "Price on the invoice",
        "from_name": "Maeve Murphy",
        "from_address": "maeve@murphy-bakery.ie",
        "to": ("support@acme.io",),
        "date": "2026-12-03 12:10:00",
        "body": "The invoice says “€ 120” but we agreed € 100 – can you fix it?\nMaeve",
        "new_text": "The invoice says “€ 120” but we agreed € 100 – can you fix it?\nMaeve",
    },
    "mislabelled_utf8_latin1": {
        "message_id": "<20261203170000.GA1234@free.fr>",
        "subject": "Probleme de connexion",
        "from_name": "Francois Lefevre",
        "from_address": "f.lefevre@free.fr",
        "to": ("support@acme.io",),
        "date": "2026-12-03 16:00:00",
        "body": (
            "Bonjour, je ne peux plus me connecter à mon compte "
            "depuis la mise à jour.\n"
            "Merci de votre aide. François"
        ),
        "new_text": (
            "Bonjour, je ne peux plus me connecter à mon compte "
            "depuis la mise à jour.\n"
            "Merci de votre aide. François"
        ),
    },
    "missing_date_and_id": {
        "subject": "Order form question",
        "from_address": "alerts@shop.example.com",
        "to": ("support@acme.io",),
        "body": "Hello, can I change the delivery address of order 5512?",
        "new_text": "Hello, can I change the delivery address of order 5512?",
    },
    "mixed_attachments": {
        "message_id": "<CAM1xed+attach@mail.gmail.com>",
        "subject": "Wrong totals in the December report",
        "from_name": "Sofia Costa",
        "from_address": "sofia.costa@gmail.com",
        "to": ("support@acme.io",),
        "date": "2026-12-03 12:13:13",
        "body": (
            "The totals in the attached report do not match our export (also attached).\n\nSofia"
        ),
        "new_text": (
            "The totals in the attached report do not match our export (also attached).\n\nSofia"
        ),
        "attachments": [
            ("report-december.pdf", 3088, "application/pdf", False),
            ("résumé export.csv", 35, "text/csv", False),
        ],
    },
    "newsletter_bulk": {
        "message_id": "<nl-2026-49@weekly.example.com>",
        "subject": "This week: 10 tips for faster exports",
        "from_name": "Example Weekly",
        "from_address": "news@weekly.example.com",
        "to": ("support@acme.io",),
        "date": "2026-12-03 06:00:00",
        "body": "10 tips\n\nRead them online (https://weekly.example.com/tips).",
        "new_text": "10 tips\n\nRead them online (https://weekly.example.com/tips).",
        "automated": "bulk",
    },
    "outlook_french": {
        "message_id": "<PR1P264MB0001FR@PR1P264MB0001.FRAP264.PROD.OUTLOOK.COM>",
        "subject": "TR : Accès refusé",
        "from_name": "Stéphanie Dubois",
        "from_address": "sdubois@entreprise.fr",
        "to": ("support@acme.io",),
        "date": "2026-12-03 15:45:12",
        "body": (
            "Bonjour,\n"
            "\n"
            "Je vous transfère le message de mon collègue : il "
            "n’a toujours pas accès.\n"
            "\n"
            "Cordialement,\n"
            "Stéphanie\n"
            "\n"
            "De : Paul Martin <pmartin@entreprise.fr>\n"
            "Envoyé : mercredi 2 décembre 2026 17:03\n"
            "À : Stéphanie Dubois <sdubois@entreprise.fr>\n"
            "Objet : Accès refusé\n"
            "\n"
            "Je n'arrive pas à me connecter depuis hier."
        ),
        "new_text": (
            "Bonjour,\n"
            "\n"
            "Je vous transfère le message de mon collègue : il "
            "n’a toujours pas accès.\n"
            "\n"
            "Cordialement,\n"
            "Stéphanie"
        ),
    },
    "outlook_german_low_priority": {
        "message_id": "<AM0PR07MB1234DE@AM0PR07MB1234.eurprd07.prod.outlook.com>",
        "subject": "AW: Rechnung November",
        "from_name": "Anna Schmidt",
        "from_address": "anna.schmidt@firma.de",
        "to": ("support@acme.io",),
        "date": "2026-12-03 08:00:00",
        "body": (
            "Hallo,\n"
            "\n"
            "kein Problem, die Rechnung kann bis Januar warten.\n"
            "\n"
            "Viele Grüße\n"
            "Anna Schmidt\n"
            "\n"
            "Von: Acme Support <support@acme.io>\n"
            "Gesendet: Mittwoch, 2. Dezember 2026 15:10\n"
            "An: Anna Schmidt <anna.schmidt@firma.de>\n"
            "Betreff: Rechnung November\n"
            "\n"
            "Sehr geehrte Frau Schmidt, die Rechnung verzögert sich leider."
        ),
        "new_text": (
            "Hallo,\n"
            "\n"
            "kein Problem, die Rechnung kann bis Januar warten.\n"
            "\n"
            "Viele Grüße\n"
            "Anna Schmidt"
        ),
        "importance": "low",
    },
    "outlook_html_only": {
        "message_id": "<DB9PR01MB0002IE@DB9PR01MB0002.eurprd01.prod.outlook.com>",
        "subject": "Cannot add a second user",
        "from_name": "O'Brien, Sean",
        "from_address": "sean.obrien@example.ie",
        "to": ("support@acme.io",),
        "date": "2026-12-03 12:00:00",
        "body": (
            "Hi team,\n"
            "\n"
            "When I click Add user nothing happens. Steps:\n"
            "\n"
            "- Open Settings\n"
            '- Click "Add user"\n'
            "\n"
            "See our incident page (https://status.example.ie/incident/77).\n"
            "\n"
            "Sean"
        ),
        "new_text": (
            "Hi team,\n"
            "\n"
            "When I click Add user nothing happens. Steps:\n"
            "\n"
            "- Open Settings\n"
            '- Click "Add user"\n'
            "\n"
            "See our incident page (https://status.example.ie/incident/77).\n"
            "\n"
            "Sean"
        ),
    },
    "outlook_ios": {
        "message_id": "<SN6PR02MB0004US@SN6PR02MB0004.namprd02.prod.outlook.com>",
        "subject": "Re: Can't upload photos",
        "from_name": "Grace Kim",
        "from_address": "grace.kim@hotmail.com",
        "to": ("support@acme.io",),
        "date": "2026-12-03 23:00:00",
        "body": (
            "Still failing on iOS 19, the spinner never stops.\n"
            "\n"
            "Get Outlook for iOS<https://aka.ms/o0ukef>\n"
            "________________________________\n"
            "From: Acme Support <support@acme.io>\n"
            "Sent: Thursday, December 3, 2026 10:00:00 PM\n"
            "To: Grace Kim <grace.kim@hotmail.com>\n"
            "Subject: Re: Can't upload photos\n"
            "\n"
            "Does it still fail?"
        ),
        "new_text": "Still failing on iOS 19, the spinner never stops.",
    },
    "outlook_italian": {
        "message_id": "<AM9PR09MB0006IT@AM9PR09MB0006.eurprd09.prod.outlook.com>",
        "subject": "R: Problema con la fattura",
        "from_name": "Giulia Bianchi",
        "from_address": "giulia.bianchi@azienda.it",
        "to": ("supporto@acme.io",),
        "date": "2026-12-03 09:10:10",
        "body": (
            "Buongiorno,\n"
            "la fattura è ancora sbagliata.\n"
            "\n"
            "Giulia\n"
            "\n"
            "Da: Supporto Acme <supporto@acme.io>\n"
            "Inviato: mercoledì 2 dicembre 2026 16:00\n"
            "A: Giulia Bianchi <giulia.bianchi@azienda.it>\n"
            "Oggetto: Problema con la fattura\n"
            "\n"
            "Abbiamo corretto la fattura."
        ),
        "new_text": "Buongiorno,\nla fattura è ancora sbagliata.\n\nGiulia",
    },
    "outlook_original_message": {
        "message_id": "<DM6PR11MB4321A1B2C3D4E5F6@DM6PR11MB4321.namprd11.prod.outlook.com>",
        "in_reply_to": "<ticket-5521@acme.io>",
        "references": ("<ticket-5521@acme.io>",),
        "subject": "RE: Sync stopped overnight",
        "from_name": "Tom Baker",
        "from_address": "tom.baker@contoso.com",
        "to": ("support@acme.io",),
        "cc": ("linda.park@contoso.com",),
        "date": "2026-12-03 14:05:09",
        "body": (
            "Hi,\n"
            "\n"
            "It’s still not syncing – our sales team can’t see "
            "yesterday’s orders. This is urgent.\n"
            "\n"
            "Tom\n"
            "\n"
            "-----Original Message-----\n"
            "From: Acme Support <support@acme.io>\n"
            "Sent: Wednesday, December 2, 2026 4:40 PM\n"
            "To: Tom Baker <Tom.Baker@Contoso.com>\n"
            "Subject: Sync stopped overnight\n"
            "\n"
            "Hi Tom, we restarted the sync. Let us know if it works now."
        ),
        "new_text": (
            "Hi,\n"
            "\n"
            "It’s still not syncing – our sales team can’t see "
            "yesterday’s orders. This is urgent.\n"
            "\n"
            "Tom"
        ),
        "importance": "high",
    },
    "outlook_rfc2047_filename": {
        "message_id": "<VI1PR08MB0003PL@VI1PR08MB0003.eurprd08.prod.outlook.com>",
        "subject": "Załącznik: umowa",
        "from_name": "Mateusz Kowalski",
        "from_address": "m.kowalski@firma.pl",
        "to": ("support@acme.io",),
        "date": "2026-12-03 10:11:11",
        "body": (
            "Dzień dobry,\n"
            "\n"
            "w załączniku umowa do podpisu.\n"
            "\n"
            "Pozdrawiam\n"
            "Mateusz\n"
            "[cid:image001.png@01DB4567.89ABCDE0]"
        ),
        "new_text": (
            "Dzień dobry,\n"
            "\n"
            "w załączniku umowa do podpisu.\n"
            "\n"
            "Pozdrawiam\n"
            "Mateusz\n"
            "[cid:image001.png@01DB4567.89ABCDE0]"
        ),
        "attachments": [
            ("image001.png", 508, "image/png", True),
            (
                "Umowa_współpracy.docx",
                1321,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                False,
            ),
        ],
    },
    "outlook_web_alternative": {
        "message_id": "<TYCPR01MB8888C0FFEE@TYCPR01MB8888.jpnprd01.prod.outlook.com>",
        "in_reply_to": "<pdf-export-1@acme.io>",
        "subject": "Re: PDF export",
        "from_name": "Kenji Watanabe",
        "from_address": "kenji.w@outlook.com",
        "to": ("support@acme.io",),
        "date": "2026-12-03 07:55:40",
        "body": (
            "Hello, the PDF export cuts the last page. Version "
            "4.2.1 on Windows 11.\n"
            "\n"
            "________________________________\n"
            "From: Acme Support <support@acme.io>\n"
            "Sent: Wednesday, December 2, 2026 09:14\n"
            "To: Kenji Watanabe <kenji.w@outlook.com>\n"
            "Subject: Re: PDF export\n"
            "\n"
            "Which version are you using?"
        ),
        "new_text": "Hello, the PDF export cuts the last page. Version 4.2.1 on Windows 11.",
    },
    "outlook_web_html_only_reply": {
        "message_id": "<AS8PR04MB0005ES@AS8PR04MB0005.eurprd04.prod.outlook.com>",
        "subject": "RE: Webhooks",
        "from_name": "Isabel Ruiz",
        "from_address": "isabel.ruiz@outlook.es",
        "to": ("support@acme.io",),
        "date": "2026-12-03 09:09:09",
        "body": (
            "The webhook fires twice for every order since Tuesday.\n"
            "\n"
            "Isabel\n"
            "\n"
            "________________________________\n"
            "\n"
            "De: Acme Support <support@acme.io>\n"
            "Enviado el: martes, 1 de diciembre de 2026 18:00\n"
            "Para: Isabel Ruiz <isabel.ruiz@outlook.es>\n"
            "Asunto: Webhooks\n"
            "\n"
            "Do you still see duplicates?"
        ),
        "new_text": "The webhook fires twice for every order since Tuesday.\n\nIsabel",
    },
    "person_out_of_office_question": {
        "message_id": "<question-ooo@patel-design.example>",
        "subject": "Out of office?",
        "from_name": "Raj Patel",
        "from_address": "raj@patel-design.example",
        "to": ("support@acme.io",),
        "date": "2026-12-03 09:30:00",
        "body": "Is your support team out of office this week? Nobody answered my ticket.",
        "new_text": "Is your support team out of office this week? Nobody answered my ticket.",
    },
    "rfc2047_folded": {
        "message_id": "<folded-2047@alander.example>",
        "subject": "Die App stürzt beim Öffnen ab – sehr ärgerlich",
        "from_name": "Zoë Ålander",
        "from_address": "zoe@alander.example",
        "to": ("support@acme.io", "jorg@acme.io"),
        "cc": ("mk@example.org",),
        "date": "2026-12-03 09:00:00",
        "body": "Seit dem Update stürzt die App beim Öffnen ab.",
        "new_text": "Seit dem Update stürzt die App beim Öffnen ab.",
    },
    "shift_jis_japanese": {
        "message_id": "<CAJP+sjis@mail.gmail.com>",
        "subject": "Re: 請求書について",
        "from_name": "山田太郎",
        "from_address": "taro.yamada@example.jp",
        "to": ("support@acme.io",),
        "date": "2026-12-03 12:05:00",
        "body": (
            "お世話になっております。\n"
            "請求書の宛名を変更できますか？\n"
            "\n"
            "山田\n"
            "\n"
            "2026年12月2日(水) 18:00 Acme Support <support@acme.io>:\n"
            "\n"
            "> ご連絡ありがとうございます。"
        ),
        "new_text": "お世話になっております。\n請求書の宛名を変更できますか？\n\n山田",
    },
    "thunderbird_signature": {
        "message_id": "<8f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0@posteo.net>",
        "in_reply_to": "<ratelimit-1@acme.io>",
        "references": ("<ratelimit-1@acme.io>",),
        "subject": "Re: API rate limit",
        "from_name": "Lars Eriksson",
        "from_address": "lars@posteo.net",
        "to": ("support@acme.io",),
        "date": "2026-12-03 09:30:00",
        "body": (
            "We hit the limit at about 600 requests per minute, "
            "which is below the 1000 your documentation promises.\n"
            "\n"
            "On 12/3/26 10:02 AM, Jane wrote:\n"
            "> How many requests per minute do you send?\n"
            "\n"
            "--\n"
            "Lars Eriksson\n"
            "Backend lead, Nordlys AB"
        ),
        "new_text": (
            "We hit the limit at about 600 requests per minute, "
            "which is below the 1000 your documentation promises."
        ),
    },
    "unknown_charset": {
        "message_id": "<unknown-charset-1@example.se>",
        "subject": "Fråga om export",
        "from_name": "Björn",
        "from_address": "bjorn@example.se",
        "to": ("support@acme.io",),
        "date": "2026-12-03 07:00:00",
        "body": "Hej! Går det att exportera till Excel?\nBjörn",
        "new_text": "Hej! Går det att exportera till Excel?\nBjörn",
    },
    "vacation_autorespond": {
        "message_id": "<vacation-1@bakery.example>",
        "subject": "Re: Your order",
        "from_address": "info@bakery.example",
        "to": ("support@acme.io",),
        "date": "2026-12-03 09:31:00",
        "body": "Thanks for your email. We are closed until Monday.",
        "new_text": "Thanks for your email. We are closed until Monday.",
        "automated": "auto-reply",
    },
}

_FIELDS = list(MailMessage.__struct_fields__)


def _shown(parsed: MailMessage) -> dict[str, object]:
    """A parsed message as the corpus table writes it."""
    shown: dict[str, object] = {}
    for name in _FIELDS:
        value = getattr(parsed, name)
        if name == "date":
            value = value.strftime("%Y-%m-%d %H:%M:%S") if value else None
        elif name == "attachments":
            value = [(a.name, a.size, a.content_type, a.inline) for a in value]
        if value not in (None, (), [], False, "") or name == "new_text":
            shown[name] = value
    return shown


# ----------------------------------------------------------------------------- the corpus
def test_the_corpus_is_large_and_every_message_has_its_expected_reading():
    assert len(corpus_names()) >= 30
    assert sorted(EXPECTED) == corpus_names()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_corpus_message_reads_exactly_as_expected(name):
    assert _shown(parse_message(corpus(name))) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_crlf_line_ends_read_the_same(name):
    assert parse_message(crlf(corpus(name))) == parse_message(corpus(name))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_text_of_a_corpus_message_is_clean(name):
    parsed = parse_message(corpus(name))
    for text in texts(parsed):
        text.encode("utf-8")
        assert clean(text) == text
    assert parsed.date is None or parsed.date.tzinfo is UTC


# ----------------------------------------------------------------------------- charsets
@pytest.mark.parametrize(
    ("data", "charset", "text"),
    [
        ("Grüße".encode(), "utf-8", "Grüße"),
        ("Grüße".encode("latin-1"), "utf-8", "Grüße"),  # declared UTF-8, Latin-1 bytes
        ("\u201cQuote\u201d \u20ac5".encode("cp1252"), "us-ascii", "\u201cQuote\u201d \u20ac5"),
        ("\u201cQuote\u201d \u20ac5".encode("cp1252"), "iso-8859-1", "\u201cQuote\u201d \u20ac5"),
        ("Zoë €".encode(), "iso-8859-1", "Zoë €"),  # declared Latin-1, UTF-8 bytes
        ("Zoë".encode(), None, "Zoë"),
        ("Zoë".encode(), "x-no-such-charset", "Zoë"),
        ("Zoë".encode("latin-1"), "x-no-such-charset", "Zoë"),
        ("Zoë".encode(), '"UTF-8"', "Zoë"),
        ("Привет".encode("koi8-r"), "KOI8-R", "Привет"),
        ("こんにちは".encode("shift_jis"), "Shift_JIS", "こんにちは"),
        ("①".encode("cp932"), "shift_jis", "①"),  # Windows' Shift_JIS
        ("你好".encode("gb2312"), "GB2312", "你好"),
        ("你好".encode("gbk"), "gb2312", "你好"),
        ("Grüße".encode("utf-16"), "utf-16", "Grüße"),
        (b"plain", "unicode_escape", "plain"),
        (b"\\u0041", "unicode_escape", "\\u0041"),  # never interpreted
        (b"caf\xc3\xa9", "rot13", "café"),  # not a text encoding
        (b"caf\xc3\xa9", "zlib", "café"),
        (b"", "utf-8", ""),
    ],
)
def test_text_bytes_decode_best_effort(data, charset, text):
    assert decode_bytes(data, charset) == text


def test_mixed_utf8_and_latin1_bytes_keep_both():
    assert decode_bytes("Zoë ".encode() + "François".encode("latin-1"), "utf-8") == "Zoë François"


def test_a_utf8_character_cut_at_the_end_is_dropped_not_turned_into_mojibake():
    assert decode_bytes("Grüße €".encode()[:-1], "utf-8", cut=True) == "Grüße "
    assert decode_bytes("Grüße".encode("latin-1"), "utf-8", cut=True) == "Grüße"


def test_a_declared_charset_with_bad_bytes_replaces_them():
    assert decode_bytes(b"\x82\xa0\x82", "shift_jis") == "あ\ufffd"


# ISO-2022-JP as Windows mailers send it (CP50220): NEC row 13 (①, ㈱, Ⅱ) inside the
# JIS X 0208 escape, and half-width katakana after ESC ( I.
WINDOWS_JIS = b"\x1b$B-!$4CmJ8!J-j!K\x1b(B Ver.\x1b$B-6\x1b(B \x1b(I6\x1b(B\n"


def test_iso_2022_jp_from_windows_mailers_keeps_nec_characters_and_katakana():
    assert decode_bytes(WINDOWS_JIS, "ISO-2022-JP") == "①ご注文（㈱） Ver.Ⅱ ｶ\n"
    assert decode_bytes("日本語です。".encode("iso2022_jp"), "iso-2022-jp") == "日本語です。"


def test_an_iso_2022_jp_message_reads_its_subject_and_body():
    subject = "=?ISO-2022-JP?B?" + base64.b64encode(b"\x1b$B-!%F%9%H\x1b(B").decode() + "?="
    raw = message(
        f"Subject: {subject}",
        "Content-Type: text/plain; charset=ISO-2022-JP",
        "Content-Transfer-Encoding: 7bit",
        body=WINDOWS_JIS,
    )
    parsed = parse_message(raw)
    assert parsed.subject == "①テスト"
    assert parsed.body == "①ご注文（㈱） Ver.Ⅱ ｶ"


# ----------------------------------------------------------------------------- headers
@pytest.mark.parametrize(
    ("subject", "decoded"),
    [
        ("=?utf-8?B?w4ljaGVj?=", "Échec"),
        ("=?utf-8?Q?=C3=89chec_de_l'export?=", "Échec de l'export"),
        ("=?utf-8?q?a?= =?utf-8?q?b?=", "ab"),  # space between encoded words dropped
        ("=?utf-8?q?a?=\n =?utf-8?q?b?=", "ab"),
        ("Re: =?iso-8859-1?q?caf=E9?= today", "Re: café today"),
        ("=?iso-8859-1?q?=93quoted=94?=", "\u201cquoted\u201d"),  # 1252 bytes in "Latin-1"
        ("=?utf-8?q?caf=E9?=", "café"),  # mislabelled encoded word
        ("=?x-unknown?q?caf=C3=A9?=", "café"),
        ("=?UTF-8*en?Q?Hello?=", "Hello"),
        ("=?utf-8?B?!!!?=", None),  # nothing decodable
        ("Long subject\n  folded over\n\tthree lines", "Long subject folded over three lines"),
        ("   ", None),
        ("", None),
    ],
)
def test_subjects_are_decoded_and_folded_to_one_line(subject, decoded):
    assert parse_message(message(f"Subject: {subject}")).subject == decoded


def test_raw_8bit_headers_are_read_as_utf8_or_1252():
    raw = message("Subject: Grüße", "From: Zoë <z@example.com>")
    assert parse_message(raw).subject == "Grüße"
    assert parse_message(raw).from_name == "Zoë"
    latin = raw.replace("Grüße".encode(), "Grüße".encode("latin-1"))
    assert parse_message(latin).subject == "Grüße"


def test_a_missing_subject_is_none_and_a_very_long_one_is_cut():
    assert parse_message(message()).subject is None
    long = parse_message(message("Subject: " + "word " * 2000)).subject
    assert long is not None and len(long) <= 1000 and long.endswith("…")


@pytest.mark.parametrize(
    ("header", "name", "address"),
    [
        ("From: Jane Roe <Jane.Roe@Example.COM>", "Jane Roe", "jane.roe@example.com"),
        ('From: "Roe, Jane" <jane@example.com>', "Roe, Jane", "jane@example.com"),
        ("From: jane@example.com", None, "jane@example.com"),
        ("From: jane@example.com (Jane Roe)", None, "jane@example.com"),
        ("From: =?utf-8?q?Zo=C3=AB?= <zoe@example.com>", "Zoë", "zoe@example.com"),
        ("From: Jane Roe jane@example.com", "Jane Roe", "jane@example.com"),
        ("From: postmaster", None, "postmaster"),
        ("From: <>", None, None),
        ("From: ", None, None),
        ("From: " + "(" * 3000, None, None),
        ("From: " + '"' * 5000 + " <x@example.com>", None, "x@example.com"),
    ],
)
def test_the_sender(header, name, address):
    parsed = parse_message(message(header))
    assert (parsed.from_name, parsed.from_address) == (name, address)


def test_recipient_lists_are_addresses_in_order_without_repeats():
    parsed = parse_message(
        message(
            'To: A <a@example.com>, b@example.com,\n  "C, D" <C@Example.com>, a@example.com',
            "Cc: undisclosed-recipients:;",
            "Reply-To: Help <help@example.com>",
        )
    )
    assert parsed.to == ("a@example.com", "b@example.com", "c@example.com")
    assert parsed.cc == ()
    assert parsed.reply_to == ("help@example.com",)


def test_recipient_lists_are_capped():
    to = ", ".join(f"u{n}@example.com" for n in range(300))
    assert len(parse_message(message(f"To: {to}")).to) <= 100


@pytest.mark.parametrize(
    ("headers", "message_id", "in_reply_to", "references"),
    [
        (["Message-ID: <a@x>"], "<a@x>", None, ()),
        (["Message-ID:   <a@x>  "], "<a@x>", None, ()),
        (["Message-Id: a@x"], "a@x", None, ()),
        (["In-Reply-To: <b@x> (Jane's message of Tuesday)"], None, "<b@x>", ()),
        (["References: <r1@x> <r2@x>\n\t<r3@x>"], None, None, ("<r1@x>", "<r2@x>", "<r3@x>")),
        (["References: <r1@x>,<r2@x> <r1@x>"], None, None, ("<r1@x>", "<r2@x>")),
        (["References: r1@x r2@x"], None, None, ("r1@x", "r2@x")),
        ([], None, None, ()),
    ],
)
def test_message_ids(headers, message_id, in_reply_to, references):
    parsed = parse_message(message(*headers))
    assert parsed.message_id == message_id
    assert parsed.in_reply_to == in_reply_to
    assert parsed.references == references


def test_very_long_references_keep_the_first_and_the_latest():
    ids = " ".join(f"<r{n}@x>" for n in range(150))
    refs = parse_message(message(f"References: {ids}")).references
    assert len(refs) == 100 and refs[0] == "<r0@x>" and refs[-1] == "<r149@x>"
    assert refs[1] == "<r51@x>"


@pytest.mark.parametrize(
    ("date", "utc"),
    [
        ("Thu, 3 Dec 2026 10:02:00 +0100", datetime(2026, 12, 3, 9, 2, tzinfo=UTC)),
        ("3 Dec 2026 10:02:00 -0500 (EST)", datetime(2026, 12, 3, 15, 2, tzinfo=UTC)),
        ("Thu, 3 Dec 2026 10:02:00 -0000", datetime(2026, 12, 3, 10, 2, tzinfo=UTC)),
        ("Thu, 3 Dec 2026 10:02:00 PST", datetime(2026, 12, 3, 18, 2, tzinfo=UTC)),
        ("Thu, 3 Dec 2026 10:02", datetime(2026, 12, 3, 10, 2, tzinfo=UTC)),
        ("2026-12-03T10:02:00+01:00", datetime(2026, 12, 3, 9, 2, tzinfo=UTC)),
        ("2026-12-03 10:02:00", datetime(2026, 12, 3, 10, 2, tzinfo=UTC)),
        ("Thu, 3 Dec 9999 23:59:59 -1200", None),
        ("Mon, 1 Jan 1850 00:00:00 +0000", None),
        ("Someday, 99 Smarch 20x6 25:61:00", None),
        ("tomorrow", None),
        ("Tue", None),
        ("1" * 5000, None),
        ("", None),
    ],
)
def test_dates_are_aware_utc_or_none(date, utc):
    assert parse_message(message(f"Date: {date}")).date == utc


def test_a_missing_date_is_none():
    assert parse_message(message(plain=False)).date is None


@pytest.mark.parametrize(
    ("headers", "importance"),
    [
        (["Importance: High"], "high"),
        (["Importance: low"], "low"),
        (["Importance: normal"], None),
        (["X-Priority: 1 (Highest)"], "high"),
        (["X-Priority: 2"], "high"),
        (["X-Priority: 3 (Normal)"], None),
        (["X-Priority: 5 (Lowest)"], "low"),
        (["Priority: urgent"], "high"),
        (["Priority: non-urgent"], "low"),
        (["X-MSMail-Priority: High"], "high"),
        (["Importance: normal", "X-Priority: 1"], None),  # the first header that says
        (["X-Priority: urgent!!"], None),
        ([], None),
    ],
)
def test_importance(headers, importance):
    assert parse_message(message(*headers)).importance == importance


# ----------------------------------------------------------------------------- automated
@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (["Auto-Submitted: auto-replied"], "auto-reply"),
        (["Auto-Submitted: auto-generated; owner-email=x@example.com"], "auto-reply"),
        (["Auto-Submitted: no"], None),
        (["Auto-Submitted: No"], None),
        (["X-Autoreply: yes"], "auto-reply"),
        (["X-Autorespond: Thanks"], "auto-reply"),
        (["X-Autoreply: no"], None),
        (["Precedence: auto_reply"], "auto-reply"),
        (["Precedence: list"], "mailing list"),
        (["Precedence: bulk"], "bulk"),
        (["Precedence: junk"], "bulk"),
        (["List-Id: <announce.example.com>"], "mailing list"),
        (["List-Unsubscribe: <mailto:leave@example.com>"], "mailing list"),
        (["From: MAILER-DAEMON@mx.example.com"], "bounce"),
        (["From: Mail Delivery System <Postmaster@example.com>"], "bounce"),
        (["Return-Path: <>"], "bounce"),
        (["Return-Path: < >"], "bounce"),
        (["Return-Path: <jane@example.com>"], None),
        (["Subject: Out of office?"], None),
        (["Subject: Automatic reply: out of office"], None),  # a subject alone says nothing
        ([], None),
    ],
)
def test_automated_mail_says_why(headers, reason):
    assert parse_message(message(*headers)).automated == reason


def test_a_delivery_report_is_a_bounce_and_a_read_receipt_an_auto_reply():
    def report(kind: str) -> bytes:
        return message(
            f'Content-Type: multipart/report; report-type={kind}; boundary="r"',
            body="--r\nContent-Type: text/plain\n\nNotice\n--r--\n",
        )

    assert parse_message(report("delivery-status")).automated == "bounce"
    assert parse_message(report("disposition-notification")).automated == "auto-reply"


# ----------------------------------------------------------------------------- bodies
def _multipart(kind: str, *parts: str) -> bytes:
    body = "".join(f"--b\n{part}\n" for part in parts) + "--b--\n"
    return message(f'Content-Type: multipart/{kind}; boundary="b"', body=body)


def test_alternative_prefers_plain_text_and_falls_back_to_html():
    plain = "Content-Type: text/plain\n\nplain words"
    html = "Content-Type: text/html\n\n<p>html <b>words</b></p>"
    assert parse_message(_multipart("alternative", plain, html)).body == "plain words"
    assert parse_message(_multipart("alternative", html, plain)).body == "plain words"
    empty = "Content-Type: text/plain\n\n   "
    assert parse_message(_multipart("alternative", empty, html)).body == "html words"


def test_inline_text_parts_of_a_mixed_message_are_joined():
    parsed = parse_message(
        _multipart(
            "mixed",
            "Content-Type: text/plain\n\nfirst part",
            "Content-Type: image/jpeg\nContent-Disposition: inline\n"
            "Content-Transfer-Encoding: base64\n\n/9j/4AAQ",
            "Content-Type: text/plain\n\nsecond part",
        )
    )
    assert parsed.body == "first part\n\nsecond part"
    assert parsed.attachments == (Attachment("", 6, "image/jpeg", True),)


def test_text_files_are_attachments_not_body():
    parsed = parse_message(
        _multipart(
            "mixed",
            "Content-Type: text/plain\n\nsee the log",
            'Content-Type: text/plain; name="app.log"\n\nERROR 1\nERROR 2',
            "Content-Type: text/html\nContent-Disposition: attachment\n\n<p>report</p>",
        )
    )
    assert parsed.body == "see the log"
    assert parsed.attachments == (
        Attachment("app.log", 15, "text/plain", False),
        Attachment("", 13, "text/html", False),
    )


@pytest.mark.parametrize(
    ("encoding", "payload", "size"),
    [
        ("base64", base64.encodebytes(bytes(range(256)) * 40).decode(), 10240),
        ("base64", "AAEC", 3),
        ("base64", "AAE=", 2),
        ("base64", "AA==", 1),
        ("quoted-printable", "caf=C3=A9=\nlatte", 10),
        ("7bit", "line one\nline two", 17),
        ("8bit", "two\nlines", 9),
    ],
)
def test_attachments_are_sized_by_their_decoded_bytes(encoding, payload, size):
    raw = _multipart(
        "mixed",
        "Content-Type: text/plain\n\nattached",
        "Content-Type: application/octet-stream\nContent-Disposition: attachment; "
        f'filename="f.bin"\nContent-Transfer-Encoding: {encoding}\n\n{payload}',
    )
    assert parse_message(raw).attachments == (
        Attachment("f.bin", size, "application/octet-stream", False),
    )
    assert parse_message(crlf(raw)).attachments[0].size == size


@pytest.mark.parametrize(
    ("disposition", "name"),
    [
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ('attachment; filename="C:\\\\Users\\\\x\\\\report.pdf"', "report.pdf"),
        ("attachment; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt", "日本.txt"),
        ("attachment; filename*0*=UTF-8''long%20; filename*1=name.txt", "long name.txt"),
        ('attachment; filename="=?utf-8?B?w6l0w6kuanBn?="', "été.jpg"),
        ('attachment; filename="résumé.pdf"', "résumé.pdf"),  # raw UTF-8 in the header
        ('attachment; filename="evil\x1b[2J\u202egpj.exe"', "evilgpj.exe"),
        ('attachment; filename="' + "x" * 600 + '.pdf"', "x" * 255),
        ("attachment", ""),
    ],
)
def test_attachment_names_are_decoded_and_cleaned(disposition, name):
    raw = _multipart(
        "mixed",
        "Content-Type: text/plain\n\nsee attached",
        f"Content-Type: application/octet-stream\nContent-Disposition: {disposition}\n\nxx",
    )
    assert parse_message(raw).attachments[0].name == name


def test_an_8bit_latin1_attachment_is_sized_by_its_raw_bytes():
    raw = _multipart(
        "mixed",
        "Content-Type: text/plain\n\nThe list.",
        'Content-Type: text/csv; charset=iso-8859-1; name="n.csv"\n'
        "Content-Transfer-Encoding: 8bit\n\nPLACEHOLDER",
    ).replace(b"PLACEHOLDER", "name\nJosé\nZoë".encode("latin-1"))
    assert parse_message(raw).attachments == (Attachment("n.csv", 13, "text/csv", False),)
    assert parse_message(crlf(raw)).attachments[0].size == 13


def test_a_long_8bit_body_in_the_wrong_charset_is_still_read():
    text = "Très élevé. " * 200_000
    raw = message(body=text.encode("latin-1"))  # declared UTF-8
    parsed = parse_message(raw)
    assert parsed.truncated and parsed.body == text[:MAX_BODY_CHARS].rstrip()


def test_html_only_mail_is_converted_to_text():
    raw = message(
        "Content-Type: text/html; charset=utf-8",
        body="<html><head><style>p{}</style></head><body><p>Hello</p><p>"
        '<a href="https://example.com/a">the link</a></p><hr><p>after</p></body></html>',
    )
    assert parse_message(raw).body == (
        "Hello\n\nthe link (https://example.com/a)\n\n" + "_" * 32 + "\n\nafter"
    )


def test_html_without_a_mime_charset_uses_its_meta_charset():
    raw = message(
        "Content-Type: text/html",
        body='<meta charset="windows-1252"><p>\x93Hi\x94</p>'.encode("latin-1"),
    )
    assert parse_message(raw).body == "\u201cHi\u201d"


def test_format_flowed_lines_are_joined():
    assert unflow("one \ntwo\n> quoted \n> more\n>> deeper\n-- \nsig") == (
        "one two\n> quoted more\n> > deeper\n-- \nsig"
    )
    assert unflow("split-\nthen \nend", delsp=True) == "split-\nthenend"
    assert unflow(" From stuffed") == "From stuffed"


def test_a_message_with_no_text_has_an_empty_body():
    raw = _multipart(
        "mixed",
        'Content-Type: application/pdf\nContent-Disposition: attachment; filename="a.pdf"\n'
        "Content-Transfer-Encoding: base64\n\nJVBERg==",
    )
    parsed = parse_message(raw)
    assert (parsed.body, parsed.new_text) == ("", "")
    assert parsed.attachments == (Attachment("a.pdf", 4, "application/pdf", False),)


def test_not_email_at_all_gives_empty_fields():
    empty = parse_message(b"")
    assert empty == parse_message(b"\x00\x01\x02 binary \xff\xfe")
    assert empty == parse_message(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert empty == parse_message(b"<html><body>hi</body></html>")
    assert empty.body == "" and empty.subject is None and empty.attachments == ()


def test_headers_without_a_body_and_a_body_after_broken_headers():
    assert parse_message(b"From: a@example.com\nSubject: hi").subject == "hi"
    parsed = parse_message(b"From: a@example.com\nnot a header line\nSubject: x\n\nbody\n")
    assert parsed.from_address == "a@example.com"
    assert "body" in parsed.body


def test_other_byte_like_input_is_accepted():
    raw = corpus("gmail_wrapped_attribution")
    assert parse_message(bytearray(raw)) == parse_message(raw)
    assert parse_message(memoryview(raw)) == parse_message(raw)


# ----------------------------------------------------------------------------- quotes
@pytest.mark.parametrize(
    ("body", "kept"),
    [
        # Gmail, in several languages, once or over two lines
        ("Fine.\n\nOn Tue, 3 Dec 2026 at 10:02, Jane <j@x.com> wrote:\n> old", "Fine."),
        ("Fine.\n\nOn Tue, Dec 3, 2026 at 10:02 AM Jane Roe <\nj@x.com> wrote:\n\n> old", "Fine."),
        ("Vale.\n\nEl mar, 3 dic 2026 a las 10:02, Ana (<a@x.es>) escribió:\n> viejo", "Vale."),
        ("Gut.\n\nAm Di., 3. Dez. 2026 um 10:02 Uhr schrieb Jan <j@x.de>:\n> alt", "Gut."),
        ("Bien.\n\nLe mar. 3 déc. 2026 à 10:02, Jean <j@x.fr> a écrit :\n> vieux", "Bien."),
        ("Ok.\n\nEm ter., 3 de dez. de 2026 às 10:02, Ana <a@x.br> escreveu:\n> velho", "Ok."),
        ("Ok.\n\nIl giorno mar 3 dic 2026 alle ore 10:02 Ugo <u@x.it> ha scritto:\n> v", "Ok."),
        ("Ok.\n\nOp di 3 dec. 2026 om 10:02 schreef Jan <j@x.nl>:\n> oud", "Ok."),
        ("Ok.\n\nDen tis 3 dec. 2026 kl 10:02 skrev Jan <j@x.se>:\n> gammal", "Ok."),
        ("Ok.\n\nW dniu 3.12.2026 o 10:02, Jan <j@x.pl> napisał:\n> stary", "Ok."),
        ("Да.\n\n3 дек. 2026 г., в 10:02, Иван <i@x.ru> пишет:\n> старое", "Да."),
        ("好的。\n\n在 2026年12月3日 10:02，Li <l@x.cn> 写道：\n> 旧", "好的。"),
        # Apple Mail, Thunderbird, Mutt
        ("Yes.\n\nOn 3 Dec 2026, at 10:02, Jane <j@x.com> wrote:\n\n> old", "Yes."),
        ("Yes.\n\n> On 3 Dec 2026, at 10:02, Jane wrote:\n> old", "Yes."),
        ("Yes.\n\nOn 12/3/26 10:02 AM, Jane wrote:\n> old", "Yes."),
        ("Yes.\n\nOn Tue, Dec 03, 2026 at 10:02:00AM +0000, Jane wrote:\n> old", "Yes."),
        # Outlook
        ("New.\n\n-----Original Message-----\nFrom: J\nSent: today\nold", "New."),
        ("Neu.\n\n-----Ursprüngliche Nachricht-----\nVon: J\nalt", "Neu."),
        (
            "New.\n\nFrom: Jane <j@x.com>\nSent: Tuesday, 3 December 2026 10:02\nTo: Me\n"
            "Subject: Re: x\n\nold",
            "New.",
        ),
        ("New.\n\n*From:* Jane <j@x.com>\n*Sent:* Tuesday\n*To:* Me\n*Subject:* x\n\nold", "New."),
        ("New.\n\nFrom: Jane <j@x.com> Sent: Tuesday To: Me Subject: x", "New."),
        ("Neu.\n\nVon: Jan <j@x.de>\nGesendet: Dienstag\nAn: Ich\nBetreff: x\n\nalt", "Neu."),
        ("Nouveau.\n\nDe : Jean\nEnvoyé : mardi\nÀ : Moi\nObjet : x\n\nvieux", "Nouveau."),
        ("Nuevo.\n\nDe: Ana\nEnviado el: martes\nPara: Yo\nAsunto: x\n\nviejo", "Nuevo."),
        ("新。\n\n发件人: 李\n发送时间: 2026年12月3日\n收件人: 我\n主题: x\n\n旧", "新。"),
        ("New.\n\n________________________________\nFrom: J\nSent: Tue\nTo: M\n\nold", "New."),
        # forwards
        ("FYI\n\n---------- Forwarded message ---------\nFrom: J\n\nold", "FYI"),
        ("FYI\n\nBegin forwarded message:\n\nFrom: J\n\nold", "FYI"),
        ("Pour info\n\n-------- Message transféré --------\nvieux", "Pour info"),
        # signatures
        ("Thanks\n-- \nJane Roe\nCEO", "Thanks"),
        ("Thanks\n--\nJane Roe", "Thanks"),
        ("Thanks\n\nSent from my iPhone", "Thanks"),
        ("Thanks\n\nSent from my Samsung Galaxy smartphone.", "Thanks"),
        ("Thanks\n\nSent from Mail for Windows", "Thanks"),
        ("Thanks\n\nGet Outlook for iOS<https://aka.ms/o0ukef>", "Thanks"),
        ("Thanks\n\nGet Outlook for Android", "Thanks"),
        ("Gracias\n\nEnviado desde mi iPhone", "Gracias"),
        ("Danke\n\nVon meinem iPhone gesendet", "Danke"),
        ("Merci\n\nEnvoyé de mon iPhone", "Merci"),
        ("Grazie\n\nInviato da iPhone", "Grazie"),
        ("Спасибо\n\nОтправлено с iPhone", "Спасибо"),
        ("谢谢\n\n发自我的iPhone", "谢谢"),
        ("ありがとう\n\niPhoneから送信", "ありがとう"),
        # inline replies keep the sender's own lines
        ("> Which browser?\nFirefox.\n> Since when?\nMonday.", "Firefox.\nMonday."),
        # nothing new at all
        ("> only quoted\n> text", ""),
        ("", ""),
    ],
)
def test_quotes_history_and_signatures_are_dropped(body, kept):
    assert new_text(body) == kept


@pytest.mark.parametrize(
    "body",
    [
        "I wrote to you on 3 Dec about this and nobody answered.",
        "My colleague wrote: the export is broken since 3 Dec.",
        "On Monday I wrote a long mail:\nit is still broken.",
        "On 3 Dec I wrote the report.\nIt is attached.",
        "From: the dashboard, click Export.\nThen nothing happens.",
        "From: my phone\nTo: you\nThe app crashes.",
        "Sent from the web form, the export fails every time since 3 Dec.",
        "Sent from my office, where the app works, to my home, where it fails.",
        "Total -- 42 items\nSubtotal --- 40",
        "1 > 0 is what the report says.",
        "Am 3. Dezember habe ich geschrieben, dass es nicht geht.",
    ],
)
def test_the_customers_own_text_is_kept(body):
    assert new_text(body) == body


def test_new_text_squeezes_blank_lines_and_trailing_rules():
    assert new_text("\n\nOne\n\n\n\nTwo\n\n______________\n\n") == "One\n\nTwo"


# ----------------------------------------------------------------------------- subjects
@pytest.mark.parametrize(
    ("subject", "key"),
    [
        ("Export broken", "export broken"),
        ("Re: Export broken", "export broken"),
        ("RE: RE: Fwd: Export  Broken", "export broken"),
        ("Re[2]: Export broken", "export broken"),
        ("Re^3: Export broken", "export broken"),
        ("AW: WG: Rechnung", "rechnung"),
        ("SV: VS: Faktura", "faktura"),
        ("Réf. : TR : Facture", "facture"),
        ("RV: R: Factura", "factura"),
        ("Antw: Doorst: Factuur", "factuur"),
        ("ODP: PD: Faktura", "faktura"),
        ("回复: 转发: 发票问题", "发票问题"),
        ("答复：发票", "发票"),
        ("[EXT] Re: Export", "export"),
        ("Réponse attendue", "réponse attendue"),
        ("Reorder the list", "reorder the list"),
        ("Straße", "strasse"),
        ("Ｅｘｐｏｒｔ", "export"),
        ("Re:", ""),
        (None, ""),
        ("", ""),
    ],
)
def test_thread_subject(subject, key):
    assert thread_subject(subject) == key


@pytest.mark.parametrize(
    ("subject", "reply"),
    [
        ("Export broken", "Re: Export broken"),
        ("Re: Export broken", "Re: Export broken"),
        ("RE: Export broken", "RE: Export broken"),
        ("re:Export", "re:Export"),
        ("AW: Rechnung", "AW: Rechnung"),
        ("SV: Faktura", "SV: Faktura"),
        ("Réf. : Facture", "Réf. : Facture"),
        ("R: Fattura", "R: Fattura"),
        ("Antw: Factuur", "Antw: Factuur"),
        ("回复：发票", "回复：发票"),
        ("Re[2]: Export", "Re[2]: Export"),
        ("Fwd: Export", "Re: Fwd: Export"),
        ("WG: Rechnung", "Re: WG: Rechnung"),
        ("Reorder the list", "Re: Reorder the list"),
        ("  spaced   out  ", "Re: spaced out"),
        ("", "Re: (no subject)"),
        ("   ", "Re: (no subject)"),
        (None, "Re: (no subject)"),
    ],
)
def test_reply_subject(subject, reply):
    assert reply_subject(subject) == reply


# ----------------------------------------------------------------------------- hostile
def test_lone_surrogates_never_come_out():
    raw = message(
        "Subject: =?utf-16-be?b?2AA=?= \xed\xa0\x80 and =?utf-8?b?7aCA?=",
        "From: =?utf-8?b?7aCA?= <x@example.com>",
        "Content-Type: text/html; charset=utf-8",
        body=b"<p>\xed\xa0\x80 &#xD800; &#55296; ok</p>",
    )
    parsed = parse_message(raw)
    for text in texts(parsed):
        text.encode("utf-8")
    assert parsed.body.endswith("ok")


def test_escapes_and_bidi_controls_are_removed_everywhere():
    raw = message(
        "Subject: Hi\x1b[31m there\u202e",
        "From: \x1b]0;title\x07Eve\u2066 <eve@example.com>",
        "Content-Type: text/plain; charset=utf-8",
        body="line\x1b[2J one\x9b31m\r\nline\u200f two\x00\n".encode(),
    )
    parsed = parse_message(raw)
    assert (parsed.subject, parsed.from_name) == ("Hi there", "Eve")
    assert parsed.body == "line one\nline two"


def _timed(raw: bytes) -> tuple[MailMessage, float]:
    start = time.perf_counter()
    parsed = parse_message(raw)
    return parsed, time.perf_counter() - start


def test_a_50_mb_message_is_read_quickly_and_its_attachment_sized():
    payload = base64.encodebytes(os.urandom(38_000_000))
    raw = _multipart(
        "mixed",
        "Content-Type: text/plain\n\nThe video is attached.",
        'Content-Type: video/mp4; name="bug.mp4"\nContent-Transfer-Encoding: base64\n\n'
        + payload.decode(),
        'Content-Type: application/pdf; name="after.pdf"\nContent-Transfer-Encoding: base64'
        "\n\nJVBERi0xLjQK",
    )
    assert len(raw) > 50_000_000
    parsed, seconds = _timed(crlf(raw))
    assert parsed.body == "The video is attached."
    assert parsed.attachments == (
        Attachment("bug.mp4", 38_000_000, "video/mp4", False),
        Attachment("after.pdf", 9, "application/pdf", False),
    )
    assert not parsed.truncated
    assert seconds < 10


def test_a_huge_text_body_is_cut_and_marked():
    raw = message(body="All work and no play. " * 2_500_000)
    parsed, seconds = _timed(raw)
    assert parsed.truncated and len(parsed.body) == MAX_BODY_CHARS
    assert parsed.body.startswith("All work and no play.")
    assert seconds < 10


def test_a_huge_base64_text_part_is_decoded_only_up_to_the_limit():
    text = "h\u00e9llo w\u00f6rld " * 4_000_000
    raw = message("Content-Transfer-Encoding: base64", body=base64.encodebytes(text.encode()))
    parsed, seconds = _timed(raw)
    assert parsed.truncated and parsed.body == text[:MAX_BODY_CHARS]
    assert seconds < 10


def test_a_huge_line_without_breaks_is_bounded():
    parsed, seconds = _timed(message(body="A" * 50_000_000))
    assert parsed.truncated and parsed.body == "A" * MAX_BODY_CHARS
    assert seconds < 10


@pytest.mark.parametrize("kind", ["multipart", "message"])
def test_deep_nesting_is_bounded(kind):
    if kind == "multipart":
        nest = "".join(
            f'Content-Type: multipart/mixed; boundary="b{n}"\n\n--b{n}\n' for n in range(5000)
        )
    else:
        nest = "Content-Type: message/rfc822\n\n" * 5000
    raw = f"From: a@example.com\nSubject: deep\n{nest}Content-Type: text/plain\n\ninner\n"
    parsed, seconds = _timed(raw.encode())
    assert parsed.subject == "deep" and parsed.from_address == "a@example.com"
    assert seconds < 10


def test_containers_past_the_limit_stay_closed():
    nest = "".join(f'Content-Type: multipart/mixed; boundary="b{n}"\n\n--b{n}\n' for n in range(80))
    parsed = parse_message(f"From: a@example.com\n{nest}Content-Type: text/plain\n\nx\n".encode())
    assert parsed.truncated and parsed.body == ""
    assert [a.content_type for a in parsed.attachments] == [
        "application/x-unopened-multipart-mixed"
    ]


@pytest.mark.parametrize("special", ['"', "\\", "(", "<", "a@", ",", ";", "=?", "*0*="])
def test_many_parts_with_hostile_headers_are_bounded(special):
    part = (
        'Content-Type: application/x-y; name="{n}' + special * 590 + '"\n'
        'Content-Disposition: attachment; filename="{n}' + special * 590 + '"\n'
        "Content-Transfer-Encoding: {n}" + special * 990 + "\n\nAAAA"
    )
    raw = _multipart("mixed", *(part.replace("{n}", str(n)) for n in range(3000)))
    parsed, seconds = _timed(raw)
    assert len(parsed.attachments) <= 200
    assert seconds < 10


def test_hostile_top_level_headers_are_bounded():
    raw = message(
        "From: " + '"' * 1_000_000,
        "To: " + "(" * 100_000,
        "Cc: " + "a," * 100_000,
        "Subject: " + "=?utf-8?q?a?= " * 100_000,
        "Date: " + "1" * 100_000,
        "References: " + "<a@b> " * 200_000,
        "Message-ID: <" + "x" * 100_000 + ">",
        *(f"X-Filler-{n}: v" for n in range(50_000)),
    )
    parsed, seconds = _timed(raw)
    assert parsed.message_id is None and parsed.date is None
    assert parsed.subject is not None and len(parsed.subject) <= 1000
    assert seconds < 10


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_parse_without_raising(raw):
    parsed = parse_message(raw)
    for text in texts(parsed):
        text.encode("utf-8")


_PIECES = st.sampled_from(
    [
        b"From: a@example.com\n",
        b"Subject: =?utf-8?q?caf=C3=A9?=\n",
        b"Subject: \xff\xfe\n",
        b'Content-Type: multipart/mixed; boundary="b"\n',
        b"Content-Type: message/rfc822\n",
        b"Content-Type: text/html; charset=x-bad\n",
        b"Content-Transfer-Encoding: base64\n",
        b"Content-Transfer-Encoding: quoted-printable\n",
        b"Content-Disposition: attachment; filename*=utf-8''%FF%FE\n",
        b"\n",
        b"--b\n",
        b"--b--\n",
        b"=C3=A9=\n",
        b"QUJD\n",
        b"<p>&#xD800;<blockquote>x\n",
        b"> quoted\n",
        b"On 3 Dec 2026, Jane wrote:\n",
        b"\x1b[31m\xe2\x80\xae\n",
        b"\xed\xa0\x80\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40))
def test_mail_shaped_noise_parses_without_raising(pieces):
    parsed = parse_message(b"".join(pieces))
    for text in texts(parsed):
        text.encode("utf-8")
        assert clean(text) == text
