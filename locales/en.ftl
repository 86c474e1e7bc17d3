# Qaz Textile Industry member bot: English.
# The same keys exist in kk.ftl and ru.ftl (test/i18n/locales.test.ts checks it).
# Messages may use <b>, <i>, <u>, <code>; arguments are escaped by the bot.
# "Staff" is the association's own people who review requests; an "employee" works at a member enterprise.

## Language

language-prompt =
    Тілді таңдаңыз · Выберите язык · Choose your language
language-changed = Done. From now on I will reply in English.

## Welcome and the main menu

welcome =
    Hello! I am the bot of <b>Qaz Textile Industry</b>, the National Association of Light Industry Enterprises of Kazakhstan.

    Textile, garment, leather and footwear enterprises can register here as members of the association.
welcome-back = Welcome back!
menu-prompt = What would you like to do?
menu-register = 📝 Register an enterprise
menu-profile = 🏭 My enterprise
menu-language = 🌐 Language
menu-help = ❓ Help
menu-privacy = 🔒 My data
menu-pending = 📥 Pending applications
menu-team = 👥 Staff and roles

help-text =
    <b>What I can do</b>

    📝 <b>Register an enterprise</b>: I ask a few questions (BIN or IIN, name, region, sector, number of employees, contact details), then the association's staff review the application. You will get the answer in this chat.
    🏭 <b>My enterprise</b>: your enterprise's profile and application status, and changing its details.
    ⚠️ <b>Report a problem</b>: tell the association about a problem your enterprise faces (customs, certification, raw materials, taxes...), with photos and documents if you have them. You get a reference such as QT-2026-0042; staff replies and status changes come to this chat.
    📋 <b>My problems</b>: your enterprise's problems and those it joined, with their history; there you can write to the association's staff about a problem.
    📅 <b>My events</b>: the association's upcoming events you were invited to, with your answer (going, with how many delegates; maybe; not going), which you can change until the deadline. Reminders come a day and two hours before.
    📣 <b>Announcements</b>: the association's announcements come to this chat. "Stop announcements" (/stop) ends them and "Receive announcements" (/subscribe) brings them back; news about your own enterprise, your problems and the events you answered still reach you.
    🔒 <b>My data</b>: what the bot stores about you, and how to erase it.
    🔗 <b>Telegram and WhatsApp</b>: link both chats to one account with a code shown in one and typed in the other.

    Commands:
    /menu: the main menu
    /problem: report a problem
    /myproblems: my problems
    /myevents: my events
    /stop: stop announcements
    /subscribe: receive announcements again
    /link: link Telegram and WhatsApp (one account, each notice once)
    /language: change the language
    /cancel: stop the current action
    /help: this help

    Instead of pressing a button, you can also type the option's number or its text.

help-staff =
    <b>For the association's staff</b>
    /pending: applications, join requests and changes waiting for a decision, with their buttons.
    Rejecting asks for a reason, which the applicant receives; in the staff group, answer by replying to the bot's question.
    /problems: industry problems with filters (status, category, region, assignee, no staff reply yet) and pages; /problem QT-2026-0042: one problem's card with its history and internal notes; /stats: figures and median response times; /export: a table (CSV) of all problems, internal or for government bodies.
    Each new problem is posted to the staff chat with the buttons Take, Status and Note (an internal note, never shown to the member). To write to the member, reply to the problem's post or to any message of its thread (text, photo, document): a message written without replying reaches no one. In a private chat, /problem with a reference opens the problem, and what you write then goes to the member until you leave it (/menu).
    Every morning at 09:00 the bot lists the problems with no staff reply for two working days.
    /events: events: create one in up to three languages, publish it to an audience with the answer buttons, edit, reschedule or cancel it (everyone who answered is told), the attendee list with delegates and its CSV.
    /announce: compose an announcement (a text per language, a photo or a document, the audience), look at it as members will, send a test to yourself, then send it now or schedule it; while it is sent, its progress message has the buttons Pause, Resume and Cancel, and a report replaces it at the end.
    /broadcasts: recent announcements with their figures, and the CSV of an announcement's failures.
    In the staff group /pending, /problems, /stats and /broadcasts answer there (a list shows its first page); /export, /events and /announce are used in a private chat with the bot.
    Admins: menu → "Staff and roles" to add or remove staff.

## Commands shown in the messenger's command menu

cmd-start = Start and main menu
cmd-menu = Main menu
cmd-language = Change the language
cmd-help = Help
cmd-cancel = Stop the current action
cmd-pending = Applications waiting for a decision

# Words that work like the commands when typed without a slash (comma-separated).
words-start = start
words-menu = menu, main menu
words-cancel = cancel, stop, quit
words-help = help
words-language = language

## Buttons and general answers

button-yes = Yes
button-no = No
button-back = ⬅️ Back
button-cancel = ✖️ Cancel
button-stale = This button belongs to an earlier question. Please answer the latest one.
phone-share-button = 📱 Share my phone number

flow-leave-ask = You have not finished the current action ({ $flow }). Leave it? The answers given so far will not be kept.
flow-leave-button = Leave it
flow-stay-button = Continue
flow-cancelled = Stopped. Answers not yet sent were not saved.
flow-restarted = The bot was updated while you were answering, so let's start this again from the beginning.
flow-too-long = This conversation got too long, so it has been reset. Please start again from the menu.
flow-menu = main menu
flow-help = help
flow-language = choosing a language
flow-register = registering an enterprise
flow-join = request to join an enterprise
flow-profile = editing your enterprise
flow-privacy = managing your data
flow-pending = reviewing applications
flow-team = managing staff
flow-reject = rejecting a request

error-generic = Sorry, something went wrong on our side. Your earlier answers are kept; please try again, or send /cancel.
error-need-text = Please answer with a text message.
error-unknown-command = There is no such command here. Please answer the question below, or send /help.
error-need-choice = Please choose one of the options below.
error-need-phone = Please send your phone number, or press the button below.
error-not-allowed = Sorry, this is only available to the association's staff.
error-admins-only = Sorry, only the bot's admins can do this.

## Personal data consent

consent-text =
    <b>Consent to the collection and processing of personal data</b>

    <b>Operator:</b> the National Association of Light Industry Enterprises of Kazakhstan "Qaz Textile Industry".
    <b>Purpose:</b> registering your enterprise as a member of the association, reviewing the application, and contacting you about membership, industry issues and events.
    <b>Data:</b> the enterprise's name, BIN or IIN, region, sector and number of employees; your name and phone number; your chat ID in this messenger and your chosen language.
    <b>Cross-border transfer:</b> messages pass through the servers of Telegram or WhatsApp, which are located outside the Republic of Kazakhstan.
    <b>Retention:</b> for as long as the enterprise is a member of the association. You can withdraw your consent and erase your data at any time: menu → "My data".

    Consent is given under Law of the Republic of Kazakhstan No. 94-V of 21 May 2013 "On Personal Data and Their Protection". Do you agree to the collection and processing of your personal data on these terms?
consent-agree = ✅ I agree
consent-decline = I do not agree
consent-declined =
    Understood. Nothing about you or your enterprise has been stored.

    If you change your mind, send /start and choose "Register an enterprise".

## Registration

reg-intro = Thank you! Now a few questions. You can stop the registration at any time with /cancel.
reg-ask-bin =
    Please send the enterprise's <b>BIN</b> (12 digits).

    If you are an individual entrepreneur, send your <b>IIN</b>.
reg-bin-recognized = ✓ <code>{ $bin }</code>: { $kind }
reg-bin-taken =
    An enterprise with this BIN is already registered with the association: <b>{ $name }</b>.

    Do you work there? Then you can ask to join it as an employee.
reg-iin-taken =
    An enterprise with this IIN is already registered with the association.

    Do you work there? Then you can ask to join it as an employee.
reg-join-button = 🤝 Ask to join as an employee
reg-other-bin-button = ✏️ Enter a different number
reg-ask-name = What is the enterprise's <b>name</b>? For example: Textile Company LLP
reg-ask-region = In which <b>region</b> does the enterprise operate?
reg-ask-sector = Please choose the enterprise's main <b>sector</b>.
reg-ask-employees = How many <b>employees</b> does the enterprise have? Send a number, e.g. 45
reg-ask-contact = Please send your <b>name</b>: the association will contact you about this application.
reg-ask-phone = Please send your <b>phone number</b>: press the button below, or type it (e.g. +7 701 123 4567).
reg-phone-saved = ✓ Phone: { $phone }
reg-summary =
    <b>Please check the application</b>

    { $details }
    { $contact }

    Is everything correct? Send the application, or correct any field.
reg-confirm-button = ✅ Send the application
reg-cancelled = The registration was cancelled; nothing was sent.
reg-submitted =
    📨 The application for <b>{ $name }</b> has been sent.

    The association's staff usually review applications within two working days; you will get the answer in this chat. Meanwhile you can view the application under "My enterprise".
reg-already = You are already registered with <b>{ $name }</b> ({ $status }).

edit-name = ✏️ Name
edit-bin = ✏️ BIN/IIN
edit-region = ✏️ Region
edit-sector = ✏️ Sector
edit-employees = ✏️ Employees
edit-contact = ✏️ Contact person
edit-phone = ✏️ Phone

field-name-line = <b>Enterprise:</b> { $value }
field-bin-line = <b>BIN/IIN:</b> <code>{ $value }</code>, { $kind }
field-region-line = <b>Region:</b> { $value }
field-sector-line = <b>Sector:</b> { $value }
field-employees-line = <b>Employees:</b> { $count }
field-contact-line = <b>Contact person:</b> { $value }
field-phone-line = <b>Phone:</b> { $value }
field-name = name
field-bin = BIN/IIN

## Answers that need another try

error-bin-empty = Please send the 12-digit BIN or IIN.
error-bin-not-digits = A BIN or IIN consists of digits only. Please send the 12 digits, e.g. 061211600012.
error-bin-length = A BIN or IIN has exactly 12 digits. Please check the number.
error-bin-checksum = The check digit (the last one) does not match, so there is probably a typo. Please compare the number with the registration documents.
error-bin-format = This cannot be a BIN or IIN: its structure does not match the official format. Please check the number.
error-name-empty = The name cannot be empty. Please send the enterprise's name.
error-name-too-long = That is too long: at most { $max } characters, please.
error-name-no-letters = A name needs letters or digits. Please send the enterprise's name.
error-person-name-empty = Please send your name.
error-person-name-too-long = That is too long: at most { $max } characters, please.
error-person-name-no-letters = A name needs letters. Please send your name.
error-employees-not-number = Please send how many people work at the enterprise as one whole number above zero, e.g. 45.
error-employees-zero = An enterprise has at least one employee. Please send the number.
error-employees-too-large = No enterprise in the industry has that many employees. Please check the number.
error-phone-empty = Please send your phone number.
error-phone-invalid = That does not look like a valid phone number. Please send it like this: +7 701 123 4567 or 8 701 123 45 67.
error-reason-empty = Please write the reason: the applicant will see it.
error-reason-too-long = That is too long: at most { $max } characters, please.
error-reason-no-letters = Please write the reason in words: the applicant will see it.

## Joining an enterprise as an employee

join-intro = You are asking to join <b>{ $name }</b> as an employee. The association's staff will review the request.
join-summary =
    <b>Request to join { $name }</b>

    { $contact }

    Send the request?
join-confirm-button = ✅ Send the request
join-submitted = 📨 Your request to join <b>{ $name }</b> has been sent. You will get the answer in this chat.
join-unavailable = Sorry, this enterprise cannot accept requests to join at the moment.
iin-holder = the individual entrepreneur with IIN { $iin }

## Decisions, as the applicant hears them

decision-application-approved =
    🎉 Welcome to the association! The application for <b>{ $name }</b> has been approved.

    Open "My enterprise" in the menu to see the profile.
decision-application-rejected =
    The application for <b>{ $name }</b> was not approved.

    Reason: { $reason }

    You can correct the application and send it again from "My enterprise".
decision-join-approved = 🎉 Your request to join <b>{ $name }</b> has been approved.
decision-join-rejected =
    Your request to join <b>{ $name }</b> was not approved.

    Reason: { $reason }
decision-join-enterprise-rejected = The application of { $name } to the association was not approved, so your request to join it is closed.
decision-join-enterprise-gone = { $name } is no longer registered with the association, so your request to join it is closed; if it had been approved, your membership through it has ended.
decision-change-approved = ✓ The change request for <b>{ $name }</b> has been approved. New value: { $value }.
decision-change-rejected =
    The change request for <b>{ $name }</b> (proposed value: { $value }) was not approved.

    Reason: { $reason }

## My enterprise

profile-title = 🏭 <b>{ $name }</b>
profile-status = Status: { $status } · { $role }
profile-rejected-reason = Reason given by the association: { $reason }
profile-none = You have no enterprise registered yet. Choose "Register an enterprise" in the menu.
profile-reapply = 📝 Apply again
profile-ask-name = What is the enterprise's new <b>name</b>?
profile-ask-bin = Please send the new <b>BIN or IIN</b>.
profile-bin-taken = This number belongs to another registered enterprise, so you cannot switch to it. If that enterprise is yours, please contact the association.
profile-updated = ✓ Saved.
profile-changed-meanwhile = Your application was decided in the meantime, so this change was not saved. Here is how it stands now.
profile-change-sent = 📨 The name and BIN identify a member, so changes to them are confirmed by the association's staff. The request has been sent to them; the old value stays until they decide.

membership-pending = ⏳ under review
membership-active = ✅ member
membership-rejected = ❌ not approved
role-owner = owner
role-employee = employee
role-member = member
role-staff = staff
role-admin = admin

## My data

privacy-summary =
    🔒 <b>What the bot stores about you</b>

    { $contact }
    <b>Enterprise:</b> { $enterprise }
    <b>Consent given:</b> { $consent }

    The bot also stores your chat ID in this messenger and your chosen language, so that it can reply to you.
privacy-nothing = Neither your name nor your phone number is stored.
privacy-erase-button = 🗑 Erase my data
privacy-erase-confirm = Erase your name, phone number and chat details, and withdraw your consent to the processing of personal data? Your applications and requests will also be withdrawn. This cannot be undone.
privacy-erase-yes = Yes, erase
privacy-erased = Your data has been erased and your consent withdrawn. Goodbye! If you ever need the bot again, just send /start.

## Staff: notices

notice-application-title = 📝 <b>New membership application { $id }</b>
notice-join-title = 🤝 <b>Join request { $id }: { $name }</b>
notice-change-title = ✏️ <b>Change request { $id }: { $name }</b>
notice-change-body = Change of the { $field }: { $old } → <b>{ $new }</b>
notice-via = Applied through { $channel }
notice-approve = ✅ Approve
notice-reject = ❌ Reject
notice-someone = a staff member
notice-decided-approved = ✅ Approved by { $by }
notice-decided-rejected = ❌ Rejected by { $by }
notice-decided-rejected-reason = ❌ Rejected by { $by }. Reason: { $reason }
notice-decided-withdrawn = ↩️ Withdrawn by the applicant
notice-decided-superseded = ↩️ Replaced by a newer request
notice-decided-erased = 🗑 The applicant erased their data
notice-erased = 🗑 The applicant erased their data.
notice-not-yours = This notice is no longer available to you.
channel-telegram = Telegram
channel-whatsapp = WhatsApp
channel-console = the console

## Staff: decisions

staff-approved-notice = Approved. The applicant has been notified.
staff-rejected-notice = Rejected. The applicant has been notified.
staff-rejected-done = ✓ Request { $id } rejected; the applicant has been told the reason.
staff-finish-current = First finish the current action in this chat, or send /cancel.
group-reply-to-question = To answer my question, reply to the message that asks it. This message was not taken as the answer.
staff-own-application = You cannot decide on your own request; another member of the association's staff will.
staff-chat-unreachable = ⚠️ The bot cannot write to the staff group (it may have been removed from it, or STAFF_CHAT_ID is wrong). Until the bot is restarted, new applications come to staff privately. Add the bot back to the group and restart it.
staff-change-bin-taken = This BIN now belongs to another registered enterprise, so the change cannot be approved.
staff-reject-ask-application = Please write the reason for rejecting application { $id }: the applicant will see it. To leave it undecided, send /cancel.
staff-reject-ask-join = Please write the reason for rejecting join request { $id }: the applicant will see it. To leave it undecided, send /cancel.
staff-reject-ask-change = Please write the reason for rejecting change request { $id }: the applicant will see it. To leave it undecided, send /cancel.
already-active = Already approved.
already-approved = Already approved.
already-rejected = Already rejected.
already-withdrawn = The applicant withdrew it.
already-superseded = A newer request replaced it.
already-suspended = The membership is suspended.
already-outdated = This notice is out of date: the request was changed or sent again. /pending shows the current one.
already-closed = The enterprise is not (or no longer) registered, so this request is closed.
already-gone = This request no longer exists.

pending-none = Nothing is waiting for a decision. 👌
pending-summary =
    Waiting for a decision: { $applications ->
        [one] { $applications } membership application
       *[other] { $applications } membership applications
    }, { $joins ->
        [one] { $joins } join request
       *[other] { $joins } join requests
    }, { $changes ->
        [one] { $changes } change request
       *[other] { $changes } change requests
    }.
pending-more = { $count ->
        [one] One more request is waiting: decide on these first, then open the list again.
       *[other] { $count } more requests are waiting: decide on these first, then open the list again.
    }

## Staff: roles

team-list =
    👥 <b>Staff and admins</b>

    { $list }
team-line = • { $name }: { $role } { $note }
team-configured = (set in the configuration)
team-you = (you)
team-add-staff = ➕ Add staff
team-add-admin = ➕ Add an admin
team-revoke = ➖ Remove { $name }
team-revoke-confirm = Remove { $name } from the association's staff?
team-revoked = ✓ { $name } is no longer on the association's staff.
team-ask-user-telegram = Send the person's Telegram user ID (a number; @userinfobot shows it), or share their contact.
team-ask-user-console = Send the console user's name (as used with /as).
team-ask-user-whatsapp = Send the person's phone number.
team-error-user = That is not a user ID. Please send the number.
team-error-contact-no-user = This contact has no Telegram account. Please send their user ID instead.
team-granted-staff = ✓ { $user } is now on the association's staff.
team-granted-admin = ✓ { $user } is now an admin.
team-not-changed-configured = { $user } is an admin from the configuration (STAFF_TELEGRAM_IDS); that can only be changed there.
team-not-changed-already-admin = { $user } is already an admin; nothing changed. To make them staff only, remove them first.
team-you-are-staff = You now have the staff role in the association's bot. New applications will be sent to you; /pending lists them.
team-you-are-admin = You now have the admin role in the association's bot: you can also manage the staff (menu → "Staff and roles").
team-you-are-staff-group = You now have the staff role in the association's bot. New applications arrive in the staff group; /pending lists them wherever you are.
team-you-are-admin-group = You now have the admin role in the association's bot: new applications arrive in the staff group, and you can also manage the staff (menu → "Staff and roles").


## Regions: cities of republican significance

region-astana = Astana
region-almaty-city = Almaty
region-shymkent = Shymkent

## Regions: oblasts (since the 2022 reform)

region-abai = Abai Region
region-akmola = Akmola Region
region-aktobe = Aktobe Region
region-almaty-region = Almaty Region
region-atyrau = Atyrau Region
region-east-kazakhstan = East Kazakhstan Region
region-jambyl = Jambyl Region
region-jetisu = Jetisu Region
region-karaganda = Karaganda Region
region-kostanay = Kostanay Region
region-kyzylorda = Kyzylorda Region
region-mangystau = Mangystau Region
region-north-kazakhstan = North Kazakhstan Region
region-pavlodar = Pavlodar Region
region-turkistan = Turkistan Region
region-ulytau = Ulytau Region
region-west-kazakhstan = West Kazakhstan Region

## Sectors (OKED divisions 13, 14, 15 and everything else)

sector-textiles = Textiles
sector-apparel = Garment manufacturing (apparel)
sector-leather-footwear = Leather and footwear
sector-other = Other: suppliers and services

## Kinds of BIN/IIN holders

bin-kind-legal-entity = legal entity (resident), head office
bin-kind-foreign-entity = legal entity (non-resident), head office
bin-kind-joint-entrepreneurship = joint individual entrepreneurship
bin-kind-branch = branch of a resident legal entity
bin-kind-representative-office = representative office of a resident legal entity
bin-kind-foreign-branch = branch of a non-resident legal entity
bin-kind-foreign-representative-office = representative office of a non-resident legal entity
bin-kind-peasant-farm = peasant (farm) enterprise
bin-kind-sole-proprietor = individual entrepreneur (IIN)

## dialogs
words-yes = yes, y, yeah, yep, sure, i agree
words-no = no, n, nope, i do not agree
flow-already-here = This is already under way: please answer the question below.
dialog-word-or-cancel = You wrote "{ $text }". Is that your answer, or do you want to stop what you are doing?
dialog-use-as-answer = That is my answer
consent-reask = To go on, choose "I agree" or "I do not agree" (or just answer "yes" or "no").
reg-ask-phone-typed = Please type your <b>phone number</b>, e.g. +7 701 123 4567.
## staffgroup
group-cancel-button = ✖️ Cancel
group-nothing-to-cancel = This question is already closed, or it was asked of someone else.
group-anonymous-unknown = You are writing anonymously, in the group's name, so the bot cannot tell who you are. To answer the bot's question, reply to the message that asks it; to leave it, press the Cancel button under it. To use staff commands here, turn off “Remain anonymous” in your admin rights in this group.
group-not-staff-chat = This chat is not the staff group, so the bot does nothing here. If it should be, the bot's administrator must set STAFF_CHAT_ID to this group's id.
staff-chat-moved = ⚠️ The staff group was upgraded to a supergroup and got a new id: <code>{ $to }</code> (it was <code>{ $from }</code>). The bot already works there and will keep doing so after a restart. Update the configuration to match: <code>STAFF_CHAT_ID={ $to }</code>
## membership

error-bin-bin-month = A BIN begins with the year and month of registration (YYMM), and the month in this number (digits 3–4) does not exist. Please check the number.
error-bin-bin-future = A BIN begins with the year and month of registration (YYMM), and this number gives a month that has not come yet. Please check the number.
error-bin-iin-date = An IIN begins with the date of birth (YYMMDD), and there is no such date in this number. Please check the number.
error-bin-iin-future = An IIN begins with the date of birth (YYMMDD, the century is given by digit 7), and this number gives a date that has not come yet. Please check the number.
field-bin-unknown-line = <b>BIN/IIN:</b> { $value }
notice-takeover-title = 🔑 <b>Owner take-over request { $id }: { $name }</b>
notice-join-waits = ⏳ It can be approved once the enterprise's own application { $ref } is approved.
notice-status-approved = ✅ Approved
notice-status-rejected = ❌ Rejected
notice-status-rejected-reason = ❌ Rejected. Reason: { $reason }
notice-decided-closed = ⛔ Closed: the enterprise did not become a member of the association (or is no longer one).
notice-decided-ended = ⛔ Membership ended: the enterprise is no longer a member of the association.
notice-ownerless =
    ⚠️ <b>An enterprise has no owner in the bot</b>

    { $details }

    Its owner erased their data. The enterprise remains a member, and its employees keep their membership. Anyone who enters its BIN can ask to take it over as its owner; you will decide on that request.
staff-join-waits = The enterprise's own application has not been approved yet, so this request cannot be approved now.
already-ended = The membership has ended.
already-waiting = The enterprise's own application has not been approved yet.
already-ownerless = The enterprise has no owner now.
membership-closed = ⛔ closed
membership-ended = ⛔ ended
membership-closed-owner-left = The enterprise you asked to join has withdrawn from the association, so your request is closed.
membership-ended-owner-left = The enterprise you belonged to has withdrawn from the association, so your membership through it has ended.
membership-claim-closed = The association has approved another person as the owner of the enterprise, so your request to take it over is closed.
role-claimant = applicant for owner
decision-takeover-approved = 🎉 You are now the owner of <b>{ $name }</b> in the association's bot.
decision-takeover-rejected =
    Your request to take over <b>{ $name }</b> as its owner has not been approved.

    Reason: { $reason }
decision-change-approved-field = ✓ The change for <b>{ $name }</b> has been approved: the { $field } is now { $value }.
staff-rejected-done-application = ✓ Membership application { $ref } rejected; the applicant has been told the reason.
staff-rejected-done-join = ✓ Join request { $ref } rejected; the applicant has been told the reason.
staff-rejected-done-change = ✓ Change request { $ref } rejected; the applicant has been told the reason.
profile-change-pending = ⏳ Waiting for the association's approval: new { $field }: { $value }
reg-takeover-offer =
    The enterprise <b>{ $name }</b> with this BIN is a member of the association, but nobody manages it in the bot: its owner erased their data.

    If you own or manage this enterprise, you can ask to take it over as its owner; the association's staff will check the request.
reg-takeover-button = 🔑 Take over as the owner
takeover-intro = You are asking to take over <b>{ $name }</b> as its owner. The association's staff will review the request.
takeover-summary =
    <b>Request to take over as the owner: { $name }</b>

    { $contact }
takeover-submitted = 📨 Your request to take over <b>{ $name }</b> as its owner has been sent. The answer will come to this chat.
reg-reapply-intro =
    Your previous application was not approved. Reason given by the association: { $reason }

    Your answers are filled in below: correct what is needed and send the application again.
reg-leave-ask = Leave the registration? The application has not been sent, and your answers will not be kept.
staff-reject-ask-takeover = Please write the reason for rejecting owner take-over request { $id }: the applicant will see it. To leave it undecided, send /cancel.
staff-rejected-done-takeover = ✓ Owner take-over request { $ref } rejected; the applicant has been told the reason.

## breaker
notice-decided-closed-takeover = ⛔ Closed: the association approved another person as the enterprise's owner.
already-closed-takeover = Closed: the association approved another person as the enterprise's owner.
profile-change-withdrawn = ✓ That is the current value, so nothing changes: your change request waiting for the association's staff has been withdrawn.

## cluster
job-failed = ⚠️ A scheduled task failed and will not be retried: <code>{ $kind }</code> ({ $ref }, { $attempts } attempts). The details are in the bot's log.

## problems
problem-cat-raw-materials = Raw materials and supply
problem-cat-raw-materials-hint = Shortage, price and quality of raw materials, disrupted deliveries.
problem-cat-customs-export = Customs, logistics and export
problem-cat-customs-export-hint = Border formalities, transport, access to foreign markets.
problem-cat-certification = Certification and technical regulation
problem-cat-certification-hint = Certificates and declarations, EAEU technical regulations, labelling.
problem-cat-procurement = Public procurement and local content
problem-cat-procurement-hint = Taking part in public procurement, the share of local content.
problem-cat-taxes = Taxes and fees
problem-cat-taxes-hint = Tax rates, inspections, VAT refunds, fees.
problem-cat-finance = Finance and credit
problem-cat-finance-hint = Access to loans, subsidies, state support.
problem-cat-staff-training = Staff and training
problem-cat-staff-training-hint = Shortage of specialists, training of employees.
problem-cat-equipment-energy = Equipment and energy
problem-cat-equipment-energy-hint = Machines and spare parts, electricity, tariffs, grid connection.
problem-cat-other = Other
problem-cat-other-hint = Anything that fits none of the other categories.
problem-status-new = New
problem-status-review = In review
problem-status-forwarded = Forwarded
problem-status-resolved = Resolved
problem-status-declined = Declined
problem-status-reopened = Reopened
problem-status-closed = Closed
problem-not-found = Problem not found.
problem-not-member = Only people of a member enterprise of the association can report problems. Register your enterprise or join it first.
problem-outdated = This message is out of date: the problem has changed since. Please open it again.
problem-bad-transition = The problem cannot move to that status from its current one.
problem-not-open = The problem is closed: it can no longer be joined or written to.
problem-comment-needed = To decline the problem, give a reason: the enterprise that reported it will see it.
problem-forwarded-needed = Say where the problem was forwarded: a government body or a partner.
problem-notice-reply =
    💬 <b>Reply from the association's staff</b>
    Problem { $ref }: “{ $title }”

    { $text }
problem-notice-reply-files =
    📎 <b>The association's staff sent files</b>
    Problem { $ref }: “{ $title }”
problem-notice-status =
    🔔 <b>New status of the problem:</b> { $status }
    Problem { $ref }: “{ $title }”
problem-notice-forwarded = <b>Forwarded to:</b> { $to }
problem-notice-comment = <b>Staff comment:</b> { $text }
problem-notice-solved-ask = Is the problem really solved? Without an answer it will be closed in { $days } { $days ->
        [one] day
       *[other] days
    }.
problem-solved-yes = ✅ Yes, solved
problem-solved-no = ❌ No, not solved
problem-notice-autoclosed =
    🔒 The problem was closed: there was no answer for { $days } { $days ->
        [one] day
       *[other] days
    } after it was marked resolved.
    Problem { $ref }: “{ $title }”
    If it comes back, please report it again.
problem-digest = ⏰ <b>Waiting for a staff reply for more than { $days } working { $days ->
        [one] day
       *[other] days
    }:</b> { $count } { $count ->
        [one] problem
       *[other] problems
    }
problem-digest-line = • { $ref } “{ $title }” — { $category }, { $status }, waiting since { $since }
problem-digest-more = …and { $count } more
problem-csv-ref = Reference
problem-csv-created = Reported
problem-csv-category = Category
problem-csv-title = Title
problem-csv-enterprise = Enterprise
problem-csv-region = Region
problem-csv-sector = Sector
problem-csv-anonymous = Anonymous
problem-csv-status = Status
problem-csv-affected = Enterprises affected
problem-csv-assignee = Assignee
problem-csv-first-reply = First reply
problem-csv-resolved = Resolved
problem-csv-closed = Closed
problem-csv-yes = Yes
problem-csv-no = No


## report
flow-problem = reporting a problem
flow-myproblems = my problems
flow-problem-unsolved = saying why the problem is not solved
menu-problem = ⚠️ Report a problem
menu-myproblems = 📋 My problems
cmd-problem = Report an industry problem
cmd-myproblems = My enterprise's problems
problem-back-menu = ⬅️ Main menu
problem-cancelled = The problem was not sent. Your answers were not kept.
problem-access-none = Problems can be reported by employees of member enterprises of the association. You have no enterprise registered yet: register it first, and report the problem once the association approves it.
problem-access-pending = Your application is still under review by the association's staff. You can report problems once it is approved: the answer will come to this chat.
problem-access-rejected = Your application was not approved, so you cannot report problems yet. You can correct it and apply again.
problem-access-ended = Your membership through an enterprise has ended, so you cannot report problems. To report again, register your enterprise or ask to join one.
problem-access-enterprise = Your enterprise is not an active member of the association at the moment, so problems cannot be reported on its behalf.
problem-intro = Let's describe the problem, one question at a time. Your answers are kept until you press "Send"; /cancel stops.
problem-ask-category =
    Which area is the problem in? Choose a category:

    { $list }
problem-ask-title = Give the problem a short title, in one line (for example: "Customs delays for fabric imports").
problem-title-empty = The title is empty.
problem-title-too-long = The title is too long: at most { $max } characters. Please shorten it.
problem-title-no-letters = The title needs words, not only symbols.
problem-ask-description = Describe the problem: what happens, since when, what it costs your enterprise. You can send several messages; press "Done" when finished.
problem-ask-description-again = Write the description again: it replaces the earlier one. You can send several messages; press "Done" when finished, or /cancel to keep the earlier one.
problem-description-added = ✓ Added. Send more, or press "Done".
problem-description-empty = The description is still empty: please write at least one message about the problem.
problem-description-need-text = Please describe the problem in words (you can add photos and documents too).
problem-description-no-letters = That message has no words. Please describe the problem in words.
problem-description-too-long = That does not fit: the description may have at most { $max } characters, { $left } are left. Please send a shorter message, or press { $button ->
        [skip] "Skip"
       *[done] "Done"
    }.
problem-done-button = ✅ Done
problem-skip-button = ➡️ Skip
problem-words-done = done, ready, finish, finished, skip, no files
problem-ask-files = If you have photos or documents about the problem (up to { $max }), send them now. Press "Skip" if there are none.
problem-ask-more-files = Files attached so far: { $count } (up to { $max }). Send more photos or documents, or press "Done".
problem-ask-files-again = Send the photos or documents again (up to { $max }; the earlier ones are removed), or press "Skip" to have none.
problem-file-added = 📎 Received. Send more photos or documents, or press "Done".
problem-file-added-description = 📎 File received; it will be attached to the problem. Continue the description, or press "Done".
problem-files-text-added = ✓ Added to the description. Send photos or documents, or press { $button ->
        [skip] "Skip"
       *[done] "Done"
    }.
problem-files-need-file = Please send a photo or a document, or press { $button ->
        [skip] "Skip"
       *[done] "Done"
    }.
problem-files-too-many = At most { $max } files can be attached. Press "Done" to go on.
problem-ask-anonymity =
    May the association name your enterprise when it raises this problem with government bodies?

    • <b>Yes, name us</b>: the association may say which enterprise is affected; this often helps.
    • <b>No, anonymous</b>: the association's staff know who reported it, but outside the association the enterprise is not named.
problem-anon-named = 🏭 Yes, name our enterprise
problem-anon-anonymous = 🕶 No, keep us anonymous
problem-similar =
    { $count ->
        [one] A similar open problem has already been reported:
       *[other] Similar open problems have already been reported:
    }

    { $list }

    If it is the same as yours, join it: your enterprise is counted as affected, and you follow it in "My problems".
problem-similar-line = • <b>{ $ref }</b>: { $title } ({ $affected ->
        [one] { $affected } enterprise affected
       *[other] { $affected } enterprises affected
    })
problem-similar-same = 🤝 The same as mine: { $ref }
problem-similar-different = ➡️ Mine is different
problem-join-comment = You are joining problem { $ref }. Would you like to add a comment for the association's staff (what it means for your enterprise)? Write it, or press "Skip".
problem-joined = ✅ Your enterprise has joined problem <b>{ $ref }</b>. You can follow it in "My problems".
problem-comment-empty = The comment is empty. Please write it.
problem-comment-too-long = The comment is too long: at most { $max } characters.
problem-comment-no-letters = The comment needs words, not only symbols.
problem-summary =
    <b>Please check your problem report</b>

    { $details }

    Press "Send", or change what is needed.
problem-line-category = Category: { $category }
problem-line-title = Title: { $title }
problem-line-description = Description: { $description }
problem-line-files = Files: { $count }
problem-line-named = Anonymity: the association may name the enterprise
problem-line-anonymous = Anonymity: the enterprise stays anonymous outside the association
problem-send-button = 📨 Send
problem-edit-category = Category
problem-edit-title = Title
problem-edit-description = Description
problem-edit-files = Files
problem-edit-anonymity = Anonymity
problem-submitted = ✅ The problem has been sent to the association. Its reference: <b>{ $ref }</b>. Staff replies and status changes will come to this chat; you can follow it in "My problems".
problem-my-none = Your enterprise has no problems reported or joined yet.
problem-my-list =
    <b>My problems</b> ({ $total }), page { $page } of { $pages }, newest first:

    { $list }
problem-list-line = <b>{ $ref }</b> · { $status } · { $date }{ $joined ->
        [yes] {" "}(joined)
       *[no] {""}
    }
    { $title }
problem-page-prev = ⬅️ Newer
problem-page-next = Older ➡️
problem-view-head =
    <b>{ $ref }</b>: { $title }
    Category: { $category }
    Status: { $status }
    Reported: { $date }
    { $affected ->
        [one] { $affected } enterprise affected
       *[other] { $affected } enterprises affected
    }
problem-view-earlier = { $count ->
        [one] (1 earlier entry is not shown)
       *[other] ({ $count } earlier entries are not shown)
    }
problem-entry-report = <b>{ $at }</b> · 📝 Reported
problem-entry-member = <b>{ $at }</b> · 💬 Your enterprise
problem-entry-joined = <b>{ $at }</b> · 🤝 Another enterprise joined
problem-entry-staff = <b>{ $at }</b> · 🏛 Staff: { $author }
problem-entry-status = <b>{ $at }</b> · 🔄 Status: { $status }
problem-entry-files = { $count ->
        [one] 📎 1 file
       *[other] 📎 { $count } files
    }
problem-write-button = ✍️ Write to staff
problem-back-list = ⬅️ Back to the list
problem-my-button = 📋 My problems
problem-write-intro = ✍️ Write your message about problem <b>{ $ref }</b>: text, photos or documents. Everything you send in this chat now goes to the association's staff. To stop, send /menu.
problem-solved-outdated = This question has been answered already, or the problem changed since.
problem-solved-thanks-short = Thank you!
problem-solved-thanks = ✅ Thank you! Problem <b>{ $ref }</b> is closed as solved.
problem-unsolved-ask = Please write why problem { $ref } is not solved: the association's staff will see your comment and take it up again.
problem-unsolved-done = Problem <b>{ $ref }</b> has been reopened, and staff have your comment.

## thread
thread-post-anonymous = 🔒 <b>ANONYMOUS: do not name the enterprise outside the association</b> (also not to government bodies).
thread-post-named = 🔓 <b>The enterprise may be named</b> when the association raises the problem with government bodies.
thread-post-head =
    📌 <b>{ $ref }</b> · { $category } · { $date }
    <b>{ $title }</b>
thread-post-more = (shortened: the whole description follows in the thread)
thread-post-enterprise =
    🏭 Enterprise: <b>{ $name }</b>
    { $region } · { $sector }
thread-post-reporter = 👤 Reported by: { $name }, { $phone }
thread-post-affected = 👥 { $count ->
        [one] Affects { $count } enterprise
       *[other] Affects { $count } enterprises
    }
thread-post-files = 📎 { $count ->
        [one] { $count } file, in the thread below
       *[other] { $count } files, in the thread below
    }
thread-post-status = Status: <b>{ $status }</b>
thread-post-forwarded = Forwarded to: { $to }
thread-post-assignee = Taken by: { $name }
thread-post-unassigned = Nobody has taken it yet.
thread-post-hint = ↩️ To write to the member, reply to this message or to any message of this thread, or open the problem in a private chat with the bot: /problem { $ref }
thread-button-take = ✋ Take
thread-button-status = 🔄 Status
thread-button-note = 🗒 Note
thread-topic = { $ref } { $title }
thread-description-full = 📄 { $ref }: the whole description
thread-files = 📎 { $ref }: files of the report
thread-files-more = 📎 More files
thread-who-member = { $name } (enterprise: { $enterprise })
thread-someone = a member
thread-relay-member = 💬 <b>{ $ref }</b> · the member writes: { $who }
thread-relay-joined = 🤝 <b>{ $ref }</b> · another enterprise has the same problem: { $enterprise }
thread-relay-note = 🗒 <b>{ $ref }</b> · internal note (members do not see it): { $who }
thread-relay-status = 🔄 <b>{ $ref }</b> · status: { $from } → { $to } ({ $who })
thread-relay-staff = ↩️ <b>{ $ref }</b> · reply to the member from a private chat: { $who }
thread-file-refused-too-big = This file is too big: the bot can take files of up to 20 MB. Please send a smaller file or a link.
thread-file-refused-type = This type of file is not accepted (programs and scripts are refused). Please send a photo, a PDF or an office document.
thread-file-refused-unavailable = The file could not be received. Please send it again.
thread-staff-only = Only the association's staff can answer members in a problem's thread.
thread-sent-to-member = ✓ Sent to the member.
thread-sent-to-staff = ✓ Sent to the association's staff. The answer will come to this chat.
thread-refused = This cannot be done now. Open the problem again and retry.
thread-problem-gone = This problem no longer exists.
thread-taken = You have taken the problem.
thread-text-too-long = Too long: at most { $max } characters. Please shorten it.
thread-text-empty = Please write some text.
thread-flow-status = changing a problem's status
thread-flow-note = writing an internal note
thread-status-ask = The new status of { $ref }:
thread-forwarded-ask = To which government body or partner has { $ref } been forwarded? Write its name.
thread-comment-required = Why is { $ref } declined? Write the reason: the member will see it.
thread-comment-optional = A comment for the member about { $ref }? Write it, or press "Without a comment".
thread-comment-skip = Without a comment
thread-status-done = ✓ { $ref }: the status is now "{ $status }". The member has been told.
thread-note-ask = Write the internal note on { $ref } (members never see notes):
thread-note-done = ✓ Note added to { $ref }.
## files
file-outside-question = Photos and documents are taken with a problem report: choose “Report a problem” in the menu, or open your problem in “My problems” and add them there.
file-refused-too-big = This file is too big: the bot can receive files of up to { $limit } MB. Please send a smaller file (compress it, or split it into parts).
file-refused-type = This file was not accepted: programs and scripts cannot be sent. Please send a photo or a document (a scan, a text, a spreadsheet).
file-refused-unavailable = The file could not be received. Please send it again.

## lists
flow-problems = the list of problems
flow-staff-problem = a problem's card
flow-stats = the problem statistics
flow-export = the problem export
menu-problems = 📋 Problems
menu-stats = 📊 Problem statistics
menu-export = 📄 Export problems (CSV)
cmd-problems = Industry problems: list and filters
cmd-stats = Problem statistics
lists-title = <b>📋 Industry problems</b>
lists-filters = Status: { $status } · Category: { $category } · Region: { $region } · Assignee: { $assignee }
lists-filter-unanswered-line = Only problems without a staff reply yet.
lists-empty = No problems match these filters.
lists-range = Shown { $from }–{ $to } of { $total }, newest first:
lists-item =
    { $n }. <b>{ $ref }</b> · { $status } · { $category } · { $affected ->
        [one] { $affected } enterprise
       *[other] { $affected } enterprises
    } · { $date }
    { $title }
lists-item-button = { $ref } · { $title }
lists-prev = ◀ Previous
lists-next = Next ▶
lists-filter-status = Status: { $value }
lists-filter-category = Category: { $value }
lists-filter-region = Region: { $value }
lists-filter-assignee = Assignee: { $value }
lists-filter-unanswered-on = ✅ Without a staff reply only
lists-filter-unanswered-off = ☐ Without a staff reply only
lists-stats-button = 📊 Statistics
lists-export-button = 📄 CSV export
lists-status-open = open
lists-status-all = any
lists-category-all = all
lists-region-all = all
lists-assignee-me = me
lists-assignee-none = nobody
lists-assignee-any = anyone
lists-pick-status = Show problems with which status?
lists-pick-category = Which category?
lists-pick-region = The region of the reporting enterprise:
lists-pick-assignee = Assigned to whom?
lists-group-hint = The first page only. Filters and further pages: /problems in a private chat with the bot.
lists-ref-unknown = No problem has the reference { $ref }. A reference looks like QT-2026-0042.
lists-ref-needed = Which problem? Write its reference after the command, for example: /problem QT-2026-0042
lists-card-title = <b>{ $ref }</b>: { $title }
lists-card-anonymous = ⚠️ <b>ANONYMOUS: do not name the enterprise outside the association</b> (not to government bodies either).
lists-card-named = The enterprise may be named when the problem is raised with government bodies.
lists-card-status = Status: { $status }
lists-card-forwarded = Forwarded to: { $to }
lists-card-category = Category: { $category }
lists-card-enterprise = Enterprise: { $name } ({ $region }; { $sector })
lists-card-affected = { $count ->
        [one] Affects { $count } enterprise
       *[other] Affects { $count } enterprises
    }
lists-card-assignee = Assignee: { $name }
lists-card-assignee-none = Assignee: nobody yet
lists-card-dates = Reported { $created }, last change { $updated }
lists-card-description = <b>Description</b>
    { $text }
lists-card-timeline = <b>Timeline</b>
lists-card-focus = ✍️ Your next messages in this chat go to the member until you open the menu.
lists-card-reply-hint = ✍️ To write to the member, reply to this message.
lists-card-files = 📎 Files of { $ref }: { $count }
lists-entry-report = { $date } · reported by { $author }
lists-entry-member = { $date } · the member ({ $author })
lists-entry-staff = { $date } · staff reply ({ $author })
lists-entry-status = { $date } · status: { $status } ({ $author })
lists-entry-note = { $date } · 🔒 internal note ({ $author })
lists-entry-joined = { $date } · another enterprise joined ({ $author })
lists-entry-files = 📎 { $count }
lists-entry-text = <i>{ $text }</i>
lists-duration-none = no data yet
lists-duration-under-hour = less than an hour
lists-duration-hours = { $count ->
        [one] { $count } hour
       *[other] { $count } hours
    }
lists-duration-days = { $count ->
        [one] { $count } day
       *[other] { $count } days
    }
lists-stats-title = <b>📊 Industry problems: statistics</b>
lists-stats-by-status = <b>By status</b>
lists-stats-by-category = <b>By category</b>
lists-stats-by-region = <b>By region</b>
lists-stats-count = { $name }: { $count }
lists-stats-nothing = none yet
lists-region-unknown = region not known
lists-stats-medians =
    Median time to the first staff reply: { $reply }
    Median time to resolution: { $resolution }
lists-stats-most-joined = <b>Affecting the most enterprises</b>
lists-stats-joined-line = { $n }. { $ref } · { $title }: { $count ->
        [one] { $count } enterprise
       *[other] { $count } enterprises
    }
lists-export-ask = Which export? The internal one names every enterprise; the one for government bodies leaves out the names of enterprises that asked to stay anonymous.
lists-export-internal = 🔒 Internal (with enterprise names)
lists-export-government = 🏛 For government bodies
lists-export-sent-internal = 📄 Internal export: { $count ->
        [one] { $count } problem
       *[other] { $count } problems
    }. Contains enterprise names: do not pass it outside the association.
lists-export-sent-government = 📄 Export for government bodies: { $count ->
        [one] { $count } problem
       *[other] { $count } problems
    }. The enterprises that asked to stay anonymous are not named.
lists-export-private = The export is sent in a private chat only: write /export to the bot there.

## breaker (issue 7)
thread-unsupported = Stickers, voice messages, videos and contacts cannot be passed on. Please write text, or send a photo or a document.
thread-sent-to-nobody = ⚠️ Kept in the problem, but nobody received it: no one of the enterprise can be reached through the bot any more.
thread-status-done-nobody = ✓ { $ref }: the status is now "{ $status }". Nobody of the enterprise can be reached through the bot any more: nobody was told.
problem-entry-joined-own = <b>{ $at }</b> · 🤝 Your enterprise joined

## fixes
problem-message-too-long = That message is too long to pass on: at most { $max } characters. Please send it as several shorter messages.

## skeleton8
event-not-member = Only people of a member enterprise of the association can answer invitations. Register your enterprise or join it first.


## compose
flow-announce = composing an announcement
flow-broadcasts = the list of announcements
flow-broadcast-cancel = cancelling an announcement
flow-stop = stopping announcements
flow-subscribe = receiving announcements again
menu-announce = 📣 Announcement
menu-broadcasts = 📬 Sent announcements
menu-stop = 🔕 Stop announcements
menu-subscribe = 🔔 Receive announcements
cmd-announce = Compose an announcement to members
cmd-broadcasts = Recent announcements and their figures
cmd-stop = Stop receiving announcements
cmd-subscribe = Receive announcements again
compose-lang-kk = Kazakh
compose-lang-ru = Russian
compose-lang-en = English
compose-none-chosen = nothing yet
compose-done = ✔ Done
compose-ask-languages =
    In which languages will you write the announcement? Press each language, then “Done”. Members whose language is missing get the text in Russian, else Kazakh, else English.
    Chosen: { $chosen }
compose-languages-empty = Choose at least one language, then press “Done”.
compose-ask-text = Send the announcement's text in { $language }, as one message: up to { $max } characters. If you attach a photo or a document later, only { $caption } characters fit in its caption: a longer text is sent as a separate message together with the file.
compose-text-too-long = That text has { $length } characters; at most { $max } fit in one announcement. Please shorten it and send it again.
compose-text-empty = The text is empty. Please send the announcement's text.
compose-text-no-letters = The text needs letters or digits. Please send the announcement's text.
compose-ask-file = Attach a photo or a document to send with the announcement, or press “Skip”. With a file, a text up to { $caption } characters goes as its caption.
compose-skip = Skip
compose-file-need-file = Please send a photo or a document, or press “Skip”.
compose-ask-audience = Who should receive the announcement?
compose-audience-all = All active members
compose-audience-region = By region
compose-audience-sector = By sector
compose-audience-language = By language
compose-audience-status = By enterprise status
compose-audience-event = By answer to an event
compose-audience-staff = Association staff only
compose-ask-regions =
    Which regions? Press each one, then “Done”.
    Chosen: { $chosen }
compose-ask-sectors =
    Which sectors? Press each one, then “Done”.
    Chosen: { $chosen }
compose-ask-reader-languages =
    Members reading which languages? Press each one, then “Done”.
    Chosen: { $chosen }
compose-ask-statuses =
    Members of enterprises with which status? Press each one, then “Done”.
    Chosen: { $chosen }
compose-ask-answers =
    Enterprises that answered the event how? Press each one, then “Done”.
    Chosen: { $chosen }
compose-pick-empty = Choose at least one, then press “Done”.
compose-status-active = Active member
compose-status-ownerless = Member without an owner in the bot
compose-status-suspended = Membership suspended
compose-no-events = There are no upcoming published events. Choose another audience.
compose-ask-event = Which event?
compose-event-button = { $date } · { $title }
compose-answer-going = Going
compose-answer-maybe = Maybe
compose-answer-no = Not going
compose-answer-none = Not answered
compose-audience-is-regions = Members in the regions: { $list }
compose-audience-is-sectors = Members in the sectors: { $list }
compose-audience-is-languages = Members reading: { $list }
compose-audience-is-statuses = Members of enterprises with the status: { $list }
compose-audience-is-event = Event “{ $title }”, answered: { $list }
compose-screen-title = <b>📣 Announcement ready</b>
compose-screen-languages = Written in: { $list }
compose-screen-photo = Photo: { $name }
compose-screen-document = Document: { $name }
compose-screen-no-file = No file.
compose-screen-audience = Audience: { $audience }
compose-screen-total = { $count ->
        [one] Recipients now: <b>{ $count }</b> person
       *[other] Recipients now: <b>{ $count }</b> people
    }
compose-screen-per-language = — { $language }: { $count }
compose-screen-per-language-fallback = — { $language }: { $count } (they read the text in: { $reads })
compose-screen-caption-long = ⚠️ The text in { $list } is too long for a caption ({ $max } characters): it goes as a separate message with the file.
compose-screen-nobody = Nobody matches this audience now: change the audience to send it.
compose-preview-button = 👁 { $language }
compose-test-button = 🧪 Test to me
compose-send-button = 📤 Send now
compose-schedule-button = 🕒 Schedule
compose-edit-button = ✏️ Edit
compose-cancel-button = ✖ Cancel
compose-preview-sent = Above: the announcement as a member reading { $language } will get it.
compose-test-sent = The test was sent to you, in your language. Nobody else got it.
compose-send-confirm = { $count ->
        [one] Send the announcement now to { $count } person?
       *[other] Send the announcement now to { $count } people?
    }
compose-send-yes = Yes, send
compose-send-no = Not yet
compose-started = { $count ->
        [one] Sending has started: { $count } recipient. The progress is shown in the message above, with Pause and Cancel.
       *[other] Sending has started: { $count } recipients. The progress is shown in the message above, with Pause and Cancel.
    }
compose-cancelled = The announcement was cancelled: nothing was sent.
compose-ask-edit = What would you like to change?
compose-edit-texts = Languages and texts
compose-edit-file = Photo or document
compose-edit-audience = Audience
compose-edit-back = ◀ Back
compose-private-only = Announcements are composed in a private chat with the bot: write /announce to me there.
compose-ask-when = When should it be sent? Write the date and time in Almaty time, for example 15.03.2027 10:00 or 15.03 10:00.
compose-when-unreadable = I could not read that date and time. Write it like 15.03.2027 10:00 or 15.03 10:00.
compose-when-past = That time has already passed (it is { $now } in Almaty now). Please give a time in the future.
compose-scheduled = The announcement is scheduled for { $date } (Almaty time). Recipients are counted when it starts.
compose-figures-title = <b>Announcement #{ $id }</b>: { $title }
compose-figures-status = Status: { $status }
compose-figures-counts =
    Recipients: { $total }
    Delivered: { $sent }
    Blocked the bot or unreachable: { $unreachable }
    Failed: { $failed }
    Still to send: { $left }
    Cancelled: { $cancelled }
compose-figures-scheduled = Scheduled for: { $date }
compose-figures-started = Started: { $date }
compose-figures-finished = Finished: { $date }
compose-bstatus-draft = draft
compose-bstatus-scheduled = scheduled
compose-bstatus-sending = sending
compose-bstatus-paused = paused
compose-bstatus-done = finished
compose-bstatus-cancelled = cancelled
compose-list-title = <b>📬 Recent announcements</b>
compose-list-range = { $from }–{ $to } of { $total }, newest first:
compose-list-item =
    { $n }. { $title }
    { $status } · { $date } · delivered { $sent } of { $total } · not delivered: { $failed }
compose-list-empty = No announcements yet.
compose-list-button = { $n }. { $title }
compose-list-prev = ◀ Back
compose-list-next = Next ▶
compose-open-cancel = ✖ Cancel this announcement
compose-list-back = ◀ To the list
compose-csv-button = 📄 Failures (CSV): { $count }
compose-csv-sent = { $count ->
        [one] 📄 The failures: { $count } recipient.
       *[other] 📄 The failures: { $count } recipients.
    }
compose-cancel-confirm = Cancel announcement #{ $id } “{ $title }”? Sent so far: { $sent }. The { $left } not sent yet will not be sent.
compose-cancel-yes = Yes, cancel it
compose-cancel-no = No, keep sending
compose-cancel-kept = Nothing changed: the announcement goes on.
compose-cancel-done = Announcement #{ $id } was cancelled: nothing more will be sent.
compose-state-refused-pause = It cannot be paused: the announcement is { $status }.
compose-state-refused-resume = It cannot be resumed: the announcement is { $status }.
compose-state-refused-cancel = It cannot be cancelled: the announcement is { $status }.
compose-paused = Paused: nothing more is sent until you press “Resume”.
compose-resumed = Resumed: sending goes on.
compose-optout-unknown = Write /start first: the bot does not know you yet.
compose-stopped = You will no longer receive the association's announcements. Notices about your own enterprise, your problems and the events you answered still reach you. To receive announcements again: /subscribe.
compose-subscribed = You will receive the association's announcements again. To stop them: /stop.
## events
time-unreadable = I could not read that date and time. Please write it like 15.03.2027 10:00 (or 15.03 10:00), Almaty time.
time-past = That moment has already passed. Please give a date and time in the future.
event-not-found = This event was not found.
event-cancelled = This event has been cancelled.
event-past = This event has already taken place.
event-deadline-passed = Answers to this invitation are closed: the deadline has passed.
event-outdated = The event has changed since this was shown. Please open it again.
event-delegates-range = Please give a number of delegates from 1 to 20.
event-changed = ✏️ The event "{ $title }" has changed:
event-changed-title = • New title (was "{ $before }")
event-changed-time = • New date and time: { $time } (was { $before })
event-changed-venue = • New venue: { $venue }
event-changed-venue-none = • The venue will be announced later
event-changed-capacity = • Places: { $count ->
        [one] { $count } delegate
       *[other] { $count } delegates
    }
event-changed-capacity-none = • The number of places is no longer limited
event-changed-deadline = • Answers accepted until { $deadline }
event-changed-deadline-none = • Answers accepted until the event starts
event-cancelled-notice = ❌ The event "{ $title }" on { $time } is cancelled.
event-cancelled-reason = Reason: { $reason }
event-going-confirmed = ✅ Your enterprise is registered for "{ $title }" on { $time }: { $count ->
        [one] { $count } delegate
       *[other] { $count } delegates
    }.
event-moved-up = 🎉 A place has become free: your enterprise is moved up from the waiting list and registered for "{ $title }" on { $time }: { $count ->
        [one] { $count } delegate
       *[other] { $count } delegates
    }.
event-venue-line = Venue: { $venue }
event-ics-hint = Open the attached file to add the event to your calendar.
event-reminder = ⏰ Reminder: "{ $title }" starts on { $time } (Almaty time).
event-answer-going = Going
event-answer-maybe = Maybe
event-answer-no = Not going
event-csv-enterprise = Enterprise
event-csv-answer = Answer
event-csv-delegates = Delegates
event-csv-waiting = Waiting list
event-csv-person = Answered by
event-csv-answered = Answered at
event-csv-yes = yes
event-csv-no = no
event-csv-totals = Total


## eventflows
menu-events = 📅 Events
menu-myevents = 📅 My events
cmd-events = Events: create, publish, attendees
cmd-myevents = Upcoming events and your answers
evf-flow-events = the list of events
evf-flow-new = creating an event
evf-flow-card = an event's card
evf-flow-going = answering an invitation
evf-flow-my = my events
evf-language-kk = Kazakh
evf-language-ru = Russian
evf-language-en = English
evf-status-draft = draft, not published
evf-status-published = published
evf-status-cancelled = cancelled
evf-list-title = <b>Events</b>
evf-list-empty = No events yet. Press “New event” to create one.
evf-list-range = Showing { $from }–{ $to } of { $total }:
evf-list-button = { $time } · { $title } ({ $status })
evf-button-new = ➕ New event
evf-private-only = Events are managed in a private chat with the bot: write /events there.
evf-ask-languages = In which languages will you write the event? Choose below or type the codes, for example: kk, ru, en.
evf-bad-languages = Please choose the languages with a button or type their codes: kk, ru, en (at least one).
evf-ask-title = The event's title in { $language }:
evf-ask-description = The event's description in { $language } (the programme, who it is for):
evf-bad-empty = The text is empty. Please write it.
evf-bad-too-long = The text is too long: at most { $max } characters.
evf-ask-time = When does it start? Type the date and time in Almaty time, for example 15.03.2027 10:00 or 15.03 10:00.
evf-bad-time = Could not read the date and time. Type it like 15.03.2027 10:00 or 15.03 10:00.
evf-bad-time-past = That moment has already passed. Please give a date and time in the future.
evf-ask-venue = Where will it take place? Type the venue: the address, the building, the hall.
evf-ask-location = Share the place on the map (📎 → Location), or press “No map point”.
evf-bad-location = Please share a location from the map, or press “No map point”.
evf-button-no-location = No map point
evf-ask-capacity = How many delegates can attend in total? Type a number, or press “No limit”.
evf-bad-capacity = Please type a whole number from 1 to { $max }, or press “No limit”.
evf-button-no-limit = No limit
evf-ask-deadline = Until when can members answer? Type the date and time (before the start), or press “Until the start”.
evf-bad-deadline-after-start = The answer deadline must come before the start of the event.
evf-button-no-deadline = Until the start
evf-deadline-after-new-time = The answer deadline no longer comes before the new start time: please set it again.
evf-ask-reminders = When should those who answered “going” or “maybe” be reminded? Choose below, or type minutes before the start, for example: 1440, 120.
evf-bad-reminders = Please choose with a button, or type up to { $max } numbers of minutes separated by commas, for example: 1440, 120 (at most 30 days).
evf-button-reminders-default = A day and two hours before
evf-button-reminders-day = A day before
evf-button-reminders-hours = Two hours before
evf-button-reminders-none = No reminders
evf-reminder-days = { $count ->
        [one] { $count } day
       *[other] { $count } days
    } before
evf-reminder-hours = { $count ->
        [one] { $count } hour
       *[other] { $count } hours
    } before
evf-reminder-minutes = { $count ->
        [one] { $count } minute
       *[other] { $count } minutes
    } before
evf-reminders-none = none
evf-summary = <b>Check the event</b> and save it, or change a field:
evf-field-title = Title ({ $language }): { $text }
evf-field-description = Description ({ $language }): { $text }
evf-field-time = Start: { $time } (Almaty time)
evf-field-venue = Venue: { $venue }
evf-field-location = Map point: { $lat }, { $lon }
evf-field-location-none = Map point: none
evf-field-capacity = Capacity: { $count ->
        [one] { $count } delegate
       *[other] { $count } delegates
    }
evf-field-capacity-none = Capacity: no limit
evf-field-deadline = Answers until: { $time }
evf-field-deadline-none = Answers until: the start
evf-field-reminders = Reminders: { $list }
evf-button-save = ✅ Save
evf-button-discard = ✖ Discard
evf-edit-texts = Title and description
evf-edit-languages = Languages
evf-edit-time = Date and time
evf-edit-venue = Venue
evf-edit-location = Map point
evf-edit-capacity = Capacity
evf-edit-deadline = Answer deadline
evf-edit-reminders = Reminders
evf-new-cancelled = The event was not created.
evf-created = ✅ The event is saved as a draft. Publish it from its card when it is ready.
evf-card-title = <b>{ $title }</b> (event { $id })
evf-card-status = Status: { $status }
evf-card-counts = Answers: going { $going } (delegates: { $delegates }), waiting list { $waiting }, maybe { $maybe }, not going { $no }.
evf-button-edit = ✏️ Edit
evf-button-publish = 📣 Publish
evf-button-attendees = 👥 Attendees
evf-button-export = 📄 Export CSV
evf-button-cancel-event = ✖ Cancel the event
evf-button-list = ◀ All events
evf-button-back = ◀ Back
evf-edit-which = What do you want to change? A new date and time reschedules the event; everyone who answered is told.
evf-updated = ✅ Saved. Everyone who answered is told what changed.
evf-ask-cancel-reason = Why is the event cancelled? The reason is sent to everyone who answered. Or press “No reason”.
evf-button-no-reason = No reason
evf-ask-cancel-sure = Cancel the event? Everyone who answered will be told, and no reminders will be sent.
evf-button-cancel-yes = Yes, cancel it
evf-button-cancel-no = No, keep it
evf-cancelled = The event is cancelled. Everyone who answered is told.
evf-ask-audience = Who should receive the invitation?
evf-audience-all = All members
evf-audience-region = By region
evf-audience-sector = By sector
evf-audience-language = By language
evf-audience-staff = Staff only
evf-pick-sector = Which sector?
evf-pick-language = Members who read which language?
evf-published = 📣 The invitation is being sent: { $count ->
        [one] { $count } recipient
       *[other] { $count } recipients
    }.
evf-publish-refused = The invitation could not be sent. Please try again later.
evf-attendees-title = <b>Attendees</b>: { $title }
evf-attendees-totals = Going: { $going } (delegates: { $delegates }) · waiting list: { $waiting } · maybe: { $maybe } · not going: { $no }
evf-attendees-empty = Nobody has answered yet.
evf-attendee-going = { $n }. Going, { $count ->
        [one] { $count } delegate
       *[other] { $count } delegates
    }: { $name }
evf-attendee-waiting = { $n }. Waiting list, { $count ->
        [one] { $count } delegate
       *[other] { $count } delegates
    }: { $name }
evf-attendee-maybe = { $n }. Maybe: { $name }
evf-attendee-no = { $n }. Not going: { $name }
evf-export-sent = 📄 The attendee list as a spreadsheet (CSV, opens in Excel).
evf-ask-delegates = How many delegates will your enterprise send to “{ $title }”? Choose below or type a number from 1 to { $max }.
evf-bad-delegates = Please choose a number with a button or type a number from 1 to { $max }.
evf-answer-going = ✅ Your answer to “{ $title }”: going, { $count ->
        [one] { $count } delegate
       *[other] { $count } delegates
    }.
evf-answer-waiting = ⏳ “{ $title }” is full, so your enterprise is on the waiting list (place { $place }, { $count ->
        [one] { $count } delegate
       *[other] { $count } delegates
    }). We will tell you when a place frees up.
evf-answer-maybe = 🤔 Your answer to “{ $title }”: maybe.
evf-answer-no = Your answer to “{ $title }”: not going.
evf-member-title = <b>{ $title }</b>
    { $time } (Almaty time)
evf-member-venue = Venue: { $venue }
evf-member-description = { $text }
evf-member-answer = Your enterprise's answer: { $answer }
evf-member-no-answer = Your enterprise has not answered yet.
evf-my-empty = There are no upcoming events for your enterprise.
evf-my-title = <b>My events</b>: { $count ->
        [one] { $count } upcoming event
       *[other] { $count } upcoming events
    }. Press a button under an event to change your answer.
evf-refused-error-not-allowed = This is for staff of the association only.
evf-refused-event-not-found = This event does not exist (any more).
evf-refused-event-not-member = Only people of a member enterprise of the association can answer invitations. Register your enterprise or join it first.
evf-refused-event-cancelled = This event has been cancelled: answers are no longer taken.
evf-refused-event-past = This event has already started or is over: answers are no longer taken.
evf-refused-event-deadline-passed = The deadline for answers to this event has passed.
evf-refused-event-outdated = Someone changed the event meanwhile. Nothing was saved: please look at the card again.
evf-refused-event-delegates-range = An enterprise can send from 1 to 20 delegates.

## broadcast
broadcast-rsvp-going = ✅ Going
broadcast-rsvp-maybe = 🤔 Maybe
broadcast-rsvp-no = ❌ Not going
broadcast-btn-pause = ⏸ Pause
broadcast-btn-resume = ▶️ Resume
broadcast-btn-cancel = ✖️ Cancel
broadcast-event-title = <b>{ $title }</b>
broadcast-event-when = 🗓 { $when } (Almaty time)
broadcast-event-venue = 📍 { $venue }
broadcast-event-map = Map: { $url }
broadcast-stop-line = <i>To stop receiving announcements, send /stop.</i>
broadcast-progress = Announcement No. { $id } is being sent: { $sent } of { $total } delivered.
broadcast-progress-paused = Announcement No. { $id } is paused: { $sent } of { $total } delivered.
broadcast-progress-problems = Not delivered so far: { $unreachable } unreachable, { $failed } failed.
broadcast-progress-rate = { $rate } messages a second; about { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
} left.
broadcast-report = Announcement No. { $id } has been sent: { $sent } of { $total } delivered.
broadcast-report-cancelled = Announcement No. { $id } was cancelled: { $sent } of { $total } delivered.
broadcast-report-unreachable = Blocked the bot or unreachable: { $count }
broadcast-report-failed = Failed: { $count }
broadcast-report-reason = — { $reason }: { $count }
broadcast-report-not-sent = Not sent because of the cancellation: { $count }
broadcast-none-at-start = Announcement No. { $id } was scheduled, but when its time came nobody was left to receive it. Nothing was sent.
broadcast-csv-enterprise = Enterprise
broadcast-csv-person = Person
broadcast-csv-channel = Channel
broadcast-csv-reason = Reason
broadcast-csv-unreachable = blocked the bot or unreachable
broadcast-not-found = This announcement no longer exists.
broadcast-empty-texts = The announcement has no text: write it in at least one language.
broadcast-no-recipients = Nobody matches this audience: there is no one to send it to.
broadcast-past = This time has already passed. Please choose a time in the future.
broadcast-wrong-state = This cannot be done now: the announcement's state has changed.
broadcast-outdated = The announcement has changed meanwhile. Please look at it again.

## review8

compose-list-group-hint = The most recent only. To open one and get the CSV of its failures: /broadcasts in a private chat with the bot.
evf-publish-confirm = { $count ->
        [one] Send the invitation now to { $count } person in this audience? Those already invited are skipped.
       *[other] Send the invitation now to { $count } people in this audience? Those already invited are skipped.
    }
evf-publish-yes = Yes, send
evf-publish-no = Not yet
evf-publish-kept = Nothing was sent.

## wa-ops

wa-ops-login-qr = 📱 WhatsApp is waiting to be linked to the association's number. On the phone with that number open WhatsApp → Settings → Linked devices → Link a device, and scan this code. It is renewed every minute or so: if it no longer works, the current code is in the bot's terminal and in the file { $path } on the server.
wa-ops-session-lost = ⚠️ The bot's WhatsApp session has ended (the number was logged out or unlinked). Members on WhatsApp get no answers until an admin scans a new login code: it is sent to admins here, and is in the bot's terminal and in the file { $path } on the server.
wa-ops-unreachable = ⚠️ WhatsApp cannot start: WhatsApp Web cannot be reached. The bot keeps trying in the background; everything else works as usual. Check that the server reaches web.whatsapp.com (network, DNS, firewall).
    Error: { $reason }
wa-ops-connected = ✅ WhatsApp is connected again.

## pacing
pacing-progress-channel = { $channel }: { $sent } of { $total } delivered.
pacing-progress-channel-eta = { $channel }: { $sent } of { $total } delivered; sent with pauses to protect the number from a ban, about { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
} left.
pacing-screen-channel = On { $channel }: { $count ->
    [one] { $count } recipient
   *[other] { $count } recipients
}, sent with pauses to protect the number from a ban: it takes about { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}.

## identity
menu-link = 🔗 Telegram and WhatsApp
menu-link-visitor = 🔗 Already registered in Telegram or WhatsApp? Link
cmd-link = Link Telegram and WhatsApp
flow-link = linking Telegram and WhatsApp
identity-overview = Your chats with the bot: { $channels }.
identity-notices-now = Notices go to: { $channel }.
identity-how = { $here ->
        [whatsapp] If you are already registered in our Telegram bot, open it, choose “🔗 Telegram and WhatsApp” → “Show a code” there, and type that code here. Or show a code here and write it to our Telegram bot.
        [telegram] If you also write to our WhatsApp number, show a code here and write it to our WhatsApp number. Or show a code in WhatsApp and type it here.
       *[other] Show a code here and type it in the bot on the other channel, or type here a code the bot showed you there.
    }
    After linking, your enterprise, problems, events and language are the same in both, and each notice comes once.
identity-enter = ⌨️ Enter a code
identity-show = 🔢 Show a code
identity-notices = 🔔 Where notices go
identity-route-last = the last used chat
identity-notices-prompt = Where should notices reach you?
identity-notices-saved = Saved.
identity-code = Your code: <b>{ $code }</b>
    { $here ->
        [telegram] Write it to our WhatsApp number within { $minutes ->
            [one] one minute
           *[other] { $minutes } minutes
        }.
        [whatsapp] Write it to our Telegram bot within { $minutes ->
            [one] one minute
           *[other] { $minutes } minutes
        }.
       *[other] Type it in the bot on the other channel within { $minutes ->
            [one] one minute
           *[other] { $minutes } minutes
        }.
    } Do not give it to anyone: it links your account.
identity-enter-prompt = Type the 6-digit code the bot showed you in the other channel.
identity-code-format = A code is 6 digits, for example 123 456.
identity-linked = Linked: { $channels }. Your data is the same in both chats now.
identity-wrong = That code is wrong. { $left ->
        [one] One more try left.
       *[other] { $left } tries left.
    }
identity-paused = Too many wrong codes. Linking is paused for { $minutes ->
        [one] one minute
       *[other] { $minutes } minutes
    }; try again later.
identity-expired = This code has expired (a code is valid for 10 minutes). Ask the bot for a new one in the other channel.
identity-same-channel = This code was shown in this same channel. Type it in the other one (Telegram or WhatsApp).
identity-already = These chats are already linked.
identity-taken = Your account already has a { $channel ->
        [telegram] Telegram chat
        [whatsapp] WhatsApp chat
       *[other] chat in that channel
    } linked. One chat per channel: to change it, write to the association staff.
identity-refused-staff = This chat belongs to a staff account: it cannot be merged with another one. Write to an admin.
identity-refused-member = Both accounts are registered with an enterprise, so they cannot be merged. Write to the association staff.
identity-refused-data = Both accounts already hold data (registration, problems or event answers), so they cannot be merged. You can erase the data of one of them in “🔒 My data” and link again, or write to the association staff.
identity-staff-channels = Channels: { $channels }. Notices go to: { $preferred }
identity-refused-direction = This chat’s account already holds your data, so it cannot join another one. Do it the other way round: show a code here and type it in the new chat.

## textinput
# Words that choose a language when typed at the language question (in every language's file: all are accepted).
language-words-kk = kazakh, kaz, kk, kz
language-words-ru = russian, rus, ru
language-words-en = english, eng, en
# A command word typed as the answer to a question that would take it as text.
dialog-word-or-help = You wrote "{ $text }". Is that your answer, or do you want help?
dialog-show-help = Show help
dialog-word-or-language = You wrote "{ $text }". Is that your answer, or do you want to change the language?
dialog-change-language = Change the language
dialog-word-or-menu = You wrote "{ $text }". Is that your answer, or do you want to stop and go to the main menu?
# The number the person writes from (Inbound.phone), offered at the phone question.
phone-use-own = Use { $phone } ({ $channel ->
        [whatsapp] this WhatsApp number
       *[other] the number you write from
    })
phone-ask-or-own = Type your <b>phone number</b>, e.g. +7 701 123 4567, or choose the option below to use the number you are writing from.
error-need-phone-typed = Please type your phone number, e.g. +7 701 123 4567.
voice-please-write = I cannot listen to voice messages or other recordings. Please write your answer as text.

## breaker9
identity-refused-staff-owner = This code was shown in a staff account. Staff work with the bot on Telegram only, so it cannot be linked to another chat.
